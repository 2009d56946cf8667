import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, stat, utimes, writeFile, rm, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsStore, type SettingsFileWriter } from '../../server/config/settings-store.js';
import { SettingsConflictError } from '../../server/config/settings-conflict-error.js';
import { SettingsWriteError } from '../../server/config/settings-write-error.js';
import { writeFileAtomic } from '../../server/config/atomic-write.js';
import { DEFAULT_SETTINGS } from '../../server/config/settings.js';
import type { KnownTool } from '../../server/config/settings-check.js';
import { ConfigError } from '../../server/errors/config-error.js';

const TOOLS: KnownTool[] = [
  { name: 'system_overview', writing: false },
  { name: 'docker_stop', writing: true, confirm: 'token' },
  { name: 'docker_remove', writing: true, confirm: 'approve' },
  ...Array.from({ length: 20 }, (_, i) => ({
    name: `test_write_${i}`,
    writing: true,
    confirm: 'token' as const,
  })),
];

async function setup(files: { cfg?: string; policy?: string } = {}, writeFile_?: SettingsFileWriter) {
  const dir = await mkdtemp(join(tmpdir(), 'umcp-store-'));
  if (files.cfg !== undefined) await writeFile(join(dir, 'unraid-mcp.cfg'), files.cfg);
  if (files.policy !== undefined) await writeFile(join(dir, 'policy.json'), files.policy);
  const store = new SettingsStore({ configDir: dir, knownTools: TOOLS, recheckMs: 0, writeFile: writeFile_ });
  await store.load();
  return { dir, store, cfg: join(dir, 'unraid-mcp.cfg'), policy: join(dir, 'policy.json') };
}

const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SettingsStore: loading', () => {
  it('with no files gives defaults, a stable revision, and frozen settings', async () => {
    const { store } = await setup();
    const snap = store.current();
    expect(snap.error).toBeNull();
    expect(snap.settings).toEqual(DEFAULT_SETTINGS);
    expect(snap.policy.checkName('container', 'plex')).toEqual({ allowed: true });
    expect(store.current().revision).toBe(snap.revision);
    expect(Object.isFrozen(snap.settings.filters.containers.deny)).toBe(true);
  });

  it('picks up a hand edit without restart', async () => {
    const { store, cfg, policy } = await setup({ cfg: 'READ_ONLY="no"\n' });
    const r1 = store.current().revision;
    await writeFile(cfg, 'READ_ONLY="yes"\n');
    await writeFile(policy, JSON.stringify({ version: 1, filters: { containers: { deny: ['plex*'] } } }));
    const snap = store.current();
    expect(snap.settings.readOnly).toBe(true);
    expect(snap.policy.checkName('container', 'plex')).toMatchObject({ allowed: false, rule: 'deny:plex*' });
    expect(snap.revision).not.toBe(r1);
  });

  it('notices an edit that keeps size and mtime (coarse FAT32 timestamps)', async () => {
    const { store, cfg } = await setup({ cfg: 'MAX_SESSIONS="30"\n' });
    const st = await stat(cfg);
    await writeFile(cfg, 'MAX_SESSIONS="60"\n');
    await utimes(cfg, st.atime, st.mtime);
    expect(store.current().settings.maxSessions).toBe(60);
  });

  it('throttles stats: within recheckMs it serves the cached snapshot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'umcp-store-'));
    const store = new SettingsStore({ configDir: dir, knownTools: TOOLS, recheckMs: 60_000 });
    await store.load();
    await writeFile(join(dir, 'unraid-mcp.cfg'), 'READ_ONLY="yes"\n');
    expect(store.current().settings.readOnly).toBe(false);
    expect((await store.load()).settings.readOnly).toBe(true);
  });

  it('a corrupt file means lockdown with a ConfigError naming file and field, never defaults; fixing it recovers', async () => {
    const { store, cfg, policy } = await setup({ cfg: 'READ_ONLY="no"\n' });
    const good = store.current().revision;
    await writeFile(policy, '{"version":1,"filters":{"containers":{"deny":["plex*"');
    await writeFile(cfg, 'READ_ONLY="no"\nTOOL_TIMEOUT_SECONDS="0"\n');
    const bad = store.current();
    expect(bad.error).toBeInstanceOf(ConfigError);
    expect(bad.error?.problems).toEqual([
      { file: 'unraid-mcp.cfg', field: 'TOOL_TIMEOUT_SECONDS', message: 'must be at least 1' },
      {
        file: 'policy.json',
        field: '(file)',
        message: expect.stringMatching(/^is not valid JSON/) as string,
      },
    ]);
    expect(bad.revision).not.toBe(good);
    expect(bad.settings.readOnly).toBe(true);
    expect(bad.settings.toolsets).toEqual([]);
    expect(bad.policy.checkName('container', 'anything').allowed).toBe(false);
    expect(bad.policy.isProtected('vm', 'anything')).toBe(true);
    expect(await rejection(store.update({ readOnly: false }))).toBe(bad.error);

    await writeFile(policy, '{"version":1}');
    await writeFile(cfg, 'READ_ONLY="no"\n');
    expect(store.current().error).toBeNull();
    expect(store.current().settings.readOnly).toBe(false);
  });

  it('an unreadable file is an error, not "missing"', async () => {
    const { store, policy } = await setup();
    await mkdir(policy);
    expect(store.current().error?.problems).toEqual([
      { file: 'policy.json', field: '(file)', message: 'cannot be read: EISDIR' },
    ]);
  });
});

describe('SettingsStore: update', () => {
  it('a filter-only change writes policy.json and leaves the cfg untouched (same inode and mtime)', async () => {
    const { store, cfg, policy } = await setup({ cfg: '# by hand\nREAD_ONLY="no"\n' });
    const before = await stat(cfg);
    await sleep(20);
    const res = await store.update({ filters: { containers: { deny: ['plex*'] } } });
    expect(res.changed).toEqual(['filters.containers.deny']);
    expect(res.written).toEqual(['policy.json']);
    expect(res.revision).not.toBe(res.previousRevision);
    const after = await stat(cfg);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(JSON.parse(await readFile(policy, 'utf8'))).toMatchObject({
      version: 1,
      filters: { containers: { allow: [], deny: ['plex*'] } },
    });
    expect(store.current().policy.visible('container', 'plex')).toBe(false);
    expect(store.current().revision).toBe(res.revision);
    expect((await stat(policy)).mode & 0o777).toBe(0o600);
  });

  it('a cfg-only change edits just that key and leaves policy.json untouched', async () => {
    const { store, cfg, policy } = await setup({
      cfg: '# by hand\nREAD_ONLY="no"\nRESPONSE_CAP_KB="040"\n',
      policy: '{ "version": 1 }',
    });
    const before = await stat(policy);
    const res = await store.update({
      readOnly: true,
      sessionIdleMs: 10 * 60_000,
      responseCapBytes: 40 * 1024,
    });
    expect(res.changed).toEqual(['readOnly', 'sessionIdleMs']);
    expect(res.written).toEqual(['unraid-mcp.cfg']);
    expect(await readFile(cfg, 'utf8')).toBe(
      '# by hand\nREAD_ONLY="yes"\nRESPONSE_CAP_KB="040"\nSESSION_IDLE_MINUTES="10"\n',
    );
    expect((await stat(policy)).ino).toBe(before.ino);
    expect(await readFile(policy, 'utf8')).toBe('{ "version": 1 }');
  });

  it('a change to nothing writes nothing', async () => {
    const { store, cfg, policy } = await setup();
    const res = await store.update({
      readOnly: false,
      filters: { vms: { deny: [] } },
      confirmModes: { docker_stop: null },
    });
    expect(res).toMatchObject({ changed: [], written: [] });
    expect(res.revision).toBe(res.previousRevision);
    expect(existsSync(cfg) || existsSync(policy)).toBe(false);
  });

  it('merges confirmation overrides; null removes one; relaxing is allowed but reported', async () => {
    const { store } = await setup();
    const r1 = await store.update({ confirmModes: { docker_stop: 'approve', docker_remove: 'none' } });
    expect(r1.changed).toEqual(['confirmModes.docker_remove', 'confirmModes.docker_stop']);
    expect(r1.warnings).toEqual([
      'confirmModes.docker_remove: "none" is weaker than the tool\'s default "approve"',
    ]);
    const r2 = await store.update({ confirmModes: { docker_remove: null } });
    expect(r2.changed).toEqual(['confirmModes.docker_remove']);
    expect(r2.warnings).toEqual([]);
    expect(store.current().settings.confirmModes).toEqual({ docker_stop: 'approve' });
  });

  it('rejects bad input with every field and its file, and writes nothing', async () => {
    const { store, cfg, policy } = await setup();
    const err = await rejection(
      store.update({
        responseCapBytes: 5000,
        toolsets: ['system', 'printers' as 'vm'],
        allowedHosts: ['tower.lan', 'http://x'],
        confirmModes: { docker_nuke: 'none', system_overview: 'token' },
        filters: { containers: { deny: ['a', 'b', 'plex[12'] } },
        colour: 'blue',
      } as never),
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      {
        file: 'unraid-mcp.cfg',
        field: 'toolsets[1]',
        message: 'unknown toolset "printers" (known: system, docker, vm, unraid)',
      },
      {
        file: 'unraid-mcp.cfg',
        field: 'responseCapBytes',
        message: 'must be a whole number of KiB (a multiple of 1024)',
      },
      {
        file: 'unraid-mcp.cfg',
        field: 'allowedHosts[1]',
        message: expect.stringContaining('"http://x" is not a host name or IP address') as string,
      },
      {
        file: 'settings',
        field: 'colour',
        message: expect.stringMatching(
          /^unknown setting \(known: port, bind, http, https, httpsPort, readOnly, /,
        ) as string,
      },
    ]);
    // Shape is fine, but the values are checked against the registry and glob syntax.
    const err2 = await rejection(
      store.update({
        confirmModes: { docker_nuke: 'none', system_overview: 'token' },
        filters: { containers: { deny: ['a', 'b', 'plex[12'] } },
      }),
    );
    expect((err2 as ConfigError).problems).toEqual([
      {
        file: 'policy.json',
        field: 'confirmModes.docker_nuke',
        message: expect.stringMatching(
          /^unknown tool \(known: docker_remove, docker_stop, system_overview, test_write_0, /,
        ) as string,
      },
      {
        file: 'policy.json',
        field: 'confirmModes.system_overview',
        message:
          '"system_overview" only reads, so it never asks for confirmation: only "none" is allowed (got "token")',
      },
      { file: 'policy.json', field: 'filters.containers.deny[2]', message: 'unclosed "[" in "plex[12"' },
    ]);
    const err3 = await rejection(store.update({ approvalWaitMs: 600_000, approvalExpiryMs: 60_000 }));
    expect((err3 as ConfigError).problems).toEqual([
      {
        file: 'unraid-mcp.cfg',
        field: 'approvalExpiryMs',
        message: expect.stringContaining('must be at least as long as approvalWaitMs (600 s)') as string,
      },
    ]);
    const err4 = await rejection(store.update({ sessionIdleMs: 0, maxSessions: 1.5 }));
    expect((err4 as ConfigError).problems).toEqual([
      { file: 'unraid-mcp.cfg', field: 'maxSessions', message: 'must be a whole number' },
      { file: 'unraid-mcp.cfg', field: 'sessionIdleMs', message: 'must be at least 60000 (1 minutes)' },
    ]);
    expect(existsSync(cfg) || existsSync(policy)).toBe(false);
    expect(store.current().settings).toEqual(DEFAULT_SETTINGS);
  });

  it('accepts 10,000 patterns per list and rejects 10,001 with a message', async () => {
    const { store } = await setup();
    const many = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? `app-${i}` : `app-${i}-*`));
    const t = performance.now();
    await store.update({ filters: { containers: { deny: many } } });
    console.log(`update with 10,000 patterns: ${(performance.now() - t).toFixed(0)} ms`);
    expect(store.current().policy.checkName('container', 'app-9999')).toMatchObject({
      allowed: false,
      rule: 'deny:app-9999',
    });
    expect(store.current().policy.checkName('container', 'app-42-x')).toMatchObject({
      allowed: false,
      rule: 'deny:app-42-*',
    });
    const err = await rejection(store.update({ filters: { vms: { allow: [...many, 'one-more'] } } }));
    expect((err as ConfigError).problems).toEqual([
      {
        file: 'policy.json',
        field: 'filters.vms.allow',
        message: 'has 10001 patterns; at most 10000 are allowed per list',
      },
    ]);
  });
});

describe('SettingsStore: concurrency', () => {
  it('refuses a stale expectedRevision and writes nothing', async () => {
    const { store, policy } = await setup();
    const r0 = store.current().revision;
    await store.update({ readOnly: true }, r0);
    const err = await rejection(store.update({ filters: { containers: { deny: ['x'] } } }, r0));
    expect(err).toBeInstanceOf(SettingsConflictError);
    expect((err as SettingsConflictError).currentRevision).toBe(store.current().revision);
    expect(existsSync(policy)).toBe(false);
  });

  it('a hand edit between read and write is a conflict too', async () => {
    const { store, cfg } = await setup();
    const r0 = store.current().revision;
    await writeFile(cfg, 'MAX_SESSIONS="5"\n');
    expect(await rejection(store.update({ readOnly: true }, r0))).toBeInstanceOf(SettingsConflictError);
    expect(await readFile(cfg, 'utf8')).toBe('MAX_SESSIONS="5"\n');
  });

  it('20 concurrent updates are serialised: none is lost', async () => {
    const { store } = await setup();
    const results = await Promise.all(
      TOOLS.filter((t) => t.name.startsWith('test_write_')).map((t) =>
        store.update({ confirmModes: { [t.name]: 'approve' } }),
      ),
    );
    expect(results.every((r) => r.changed.length === 1)).toBe(true);
    expect(new Set(results.map((r) => r.revision)).size).toBe(20);
    expect(Object.keys(store.current().settings.confirmModes)).toHaveLength(20);
  });

  it('20 concurrent updates from the same revision: one applies, the rest conflict', async () => {
    const { store } = await setup();
    const r0 = store.current().revision;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.update({ filters: { containers: { deny: [`only-${i}`] } } }, r0),
      ),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const conflicts = outcomes.filter(
      (o) => o.status === 'rejected' && o.reason instanceof SettingsConflictError,
    );
    expect([ok.length, conflicts.length]).toEqual([1, 19]);
  });

  it('20 concurrent read-modify-write admins with retry on conflict: every change lands', async () => {
    const { store } = await setup();
    const worker = async (i: number) => {
      for (let attempt = 0; attempt < 100; attempt++) {
        const { settings, revision } = store.current();
        await sleep(Math.random() * 5);
        try {
          return await store.update(
            { filters: { vms: { deny: [...settings.filters.vms.deny, `vm-${i}`] } } },
            revision,
          );
        } catch (err) {
          if (!(err instanceof SettingsConflictError)) throw err;
        }
      }
      throw new Error('gave up');
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => worker(i)));
    expect([...store.current().settings.filters.vms.deny].sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `vm-${i}`).sort(),
    );
  });

  it('readers never see a half-applied pair while an update is writing', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstDone!: () => void;
    const firstWritten = new Promise<void>((r) => (firstDone = r));
    let calls = 0;
    const writer: SettingsFileWriter = async (path, content) => {
      const wrote = await writeFileAtomic(path, content);
      if (++calls === 1) {
        firstDone();
        await gate;
      }
      return wrote;
    };
    const { store } = await setup({}, writer);
    const r0 = store.current().revision;
    const pending = store.update({ readOnly: true, filters: { containers: { deny: ['plex'] } } });
    await firstWritten;
    const mid = store.current();
    expect([mid.revision, mid.settings.readOnly, mid.policy.visible('container', 'plex')]).toEqual([
      r0,
      false,
      true,
    ]);
    release();
    const res = await pending;
    expect(store.current()).toMatchObject({ revision: res.revision, settings: { readOnly: true } });
  });
});

describe('SettingsStore: failed writes roll back', () => {
  const failing =
    (failOn: (path: string, content: string) => boolean): SettingsFileWriter =>
    async (path, content) => {
      if (failOn(path, content)) throw Object.assign(new Error('no space left'), { code: 'ENOSPC' });
      return writeFileAtomic(path, content);
    };

  it('restores the first file when the second cannot be written', async () => {
    const cfgText = '# mine\nREAD_ONLY="no"\n';
    const policyText = '{"version":1}';
    const { store, cfg, policy } = await setup(
      { cfg: cfgText, policy: policyText },
      failing((p, c) => p.endsWith('policy.json') && c !== policyText),
    );
    const r0 = store.current().revision;
    const err = await rejection(
      store.update({ readOnly: true, filters: { containers: { deny: ['plex'] } } }),
    );
    expect(err).toBeInstanceOf(SettingsWriteError);
    expect((err as SettingsWriteError).restored).toBe(true);
    expect((err as Error).message).toBe(
      'could not save policy.json: ENOSPC; no setting was changed (files restored to their previous content)',
    );
    expect(await readFile(cfg, 'utf8')).toBe(cfgText);
    expect(await readFile(policy, 'utf8')).toBe(policyText);
    expect(store.current()).toMatchObject({ revision: r0, error: null, settings: { readOnly: false } });
    expect(store.current().policy.visible('container', 'plex')).toBe(true);
  });

  it('removes a first file that did not exist before', async () => {
    const { store, cfg, dir } = await setup(
      {},
      failing((p) => p.endsWith('policy.json')),
    );
    await rejection(store.update({ readOnly: true, protected: { containers: ['db'] } }));
    expect(existsSync(cfg)).toBe(false);
    expect(store.current().settings.readOnly).toBe(false);
    await rm(dir, { recursive: true });
  });

  it('with a real failure: policy.json replaced by a directory mid-update', async () => {
    let dirPath = '';
    const writer: SettingsFileWriter = async (path, content) => {
      // After the cfg is written, something turns policy.json into a directory: the rename then fails.
      if (path.endsWith('policy.json') && !existsSync(path)) await mkdir(path);
      return writeFileAtomic(path, content);
    };
    const { store, cfg, dir } = await setup({ cfg: 'READ_ONLY="no"\n' }, writer);
    dirPath = join(dir, 'policy.json');
    const err = await rejection(store.update({ readOnly: true, filters: { vms: { deny: ['x'] } } }));
    expect(err).toBeInstanceOf(SettingsWriteError);
    expect(await readFile(cfg, 'utf8')).toBe('READ_ONLY="no"\n');
    // The restore cannot delete a directory it did not create as a file: it says so.
    expect((err as SettingsWriteError).restored).toBe(false);
    expect((err as Error).message).toMatch(
      /^could not save policy.json: E\w+; the previous content could not be restored either \(policy.json: E\w+\)/,
    );
    expect(store.current().error?.problems[0]).toMatchObject({ file: 'policy.json', field: '(file)' });
    await rm(dirPath, { recursive: true });
    expect(store.current()).toMatchObject({ error: null, settings: { readOnly: false } });
  });

  it('says so when the restore fails too', async () => {
    const { store } = await setup(
      { cfg: 'READ_ONLY="no"\n' },
      failing((p, c) => p.endsWith('policy.json') || c === 'READ_ONLY="no"\n'),
    );
    const err = await rejection(store.update({ readOnly: true, filters: { vms: { deny: ['x'] } } }));
    expect((err as SettingsWriteError).restored).toBe(false);
    expect((err as Error).message).toMatch(
      /the previous content could not be restored either \(unraid-mcp.cfg: ENOSPC\)/,
    );
    expect(store.current().settings.readOnly).toBe(true); // what is on disk now, reported honestly
  });
});
