import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsStore } from '../../server/config/settings-store.js';
import { loadConfig } from '../../server/config/config-files.js';
import { SEEN_FILE } from '../../server/config/seen-settings-files.js';
import { ResetRefused, resetSettingsFile } from '../../server/config/reset-settings-file.js';
import { DEFAULT_SETTINGS } from '../../server/config/settings.js';
import type { KnownTool } from '../../server/config/settings-check.js';
import { ConfigError } from '../../server/errors/config-error.js';

const TOOLS: KnownTool[] = [{ name: 'docker_stop', writing: true, confirm: 'token' }];
const POLICY = JSON.stringify({ version: 1, filters: { containers: { deny: ['plex*'] } } });

async function dir(files: { cfg?: string; policy?: string } = {}) {
  const d = await mkdtemp(join(tmpdir(), 'umcp-deleted-'));
  if (files.cfg !== undefined) await writeFile(join(d, 'unraid-mcp.cfg'), files.cfg);
  if (files.policy !== undefined) await writeFile(join(d, 'policy.json'), files.policy);
  return { d, cfg: join(d, 'unraid-mcp.cfg'), policy: join(d, 'policy.json'), seen: join(d, SEEN_FILE) };
}
async function storeOn(d: string) {
  const store = new SettingsStore({ configDir: d, knownTools: TOOLS, recheckMs: 0 });
  await store.load();
  return store;
}
const problemsOf = (store: SettingsStore) => store.current().error?.problems ?? [];
const deletedPolicy = {
  file: 'policy.json',
  field: '(file)',
  message:
    'was deleted: unraid-mcp has read it before (settings-seen.txt), and without it every filter, protection and confirmation override would be gone. Restore it from a backup (the flash backup has it), or run "unraid-mcp config reset policy.json" to start again with the defaults',
};

describe('a settings file that existed and is gone', () => {
  it('a fresh directory means defaults, and nothing is written for it', async () => {
    const { d, seen } = await dir();
    const store = await storeOn(d);
    expect(store.current()).toMatchObject({ error: null, settings: DEFAULT_SETTINGS });
    expect(existsSync(seen)).toBe(false);
  });

  it('is remembered on flash the first time it is read, and the list is not rewritten after that', async () => {
    const { d, seen, cfg } = await dir({ policy: POLICY });
    await storeOn(d);
    expect(await readFile(seen, 'utf8')).toMatch(/\npolicy\.json\n$/);
    const first = await stat(seen);
    await writeFile(cfg, 'READ_ONLY="yes"\n');
    const store = await storeOn(d);
    expect((await readFile(seen, 'utf8')).split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      'unraid-mcp.cfg',
      'policy.json',
      '',
    ]);
    const second = await stat(seen);
    await writeFile(cfg, 'READ_ONLY="no"\n');
    expect(store.current().settings.readOnly).toBe(false);
    await storeOn(d);
    expect(await stat(seen)).toMatchObject({ ino: second.ino, mtimeMs: second.mtimeMs });
    expect(second.ino).not.toBe(first.ino); // rewritten once, when the cfg was first read
  });

  it('deleted while running: lockdown with the reason, even if the list on flash went with it; restoring recovers', async () => {
    const { d, policy, seen } = await dir({ policy: POLICY });
    const store = await storeOn(d);
    await rm(policy);
    await rm(seen);
    const snap = store.current();
    expect(snap.error).toBeInstanceOf(ConfigError);
    expect(snap.error?.problems).toEqual([deletedPolicy]);
    expect(snap.settings.readOnly).toBe(true);
    expect(snap.policy.checkName('container', 'web').allowed).toBe(false);
    await expect(store.update({ readOnly: false })).rejects.toBe(snap.error);
    for (let i = 0; i < 50 && !existsSync(seen); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await readFile(seen, 'utf8')).toMatch(/\npolicy\.json\n$/); // the list is written again
    await writeFile(policy, POLICY);
    expect(store.current().error).toBeNull();
    expect(store.current().policy.checkName('container', 'plex').allowed).toBe(false);
  });

  it('deleted while stopped: the next start is locked down, and so is "config check"', async () => {
    const { d, policy } = await dir({ cfg: 'READ_ONLY="yes"\n', policy: POLICY });
    await storeOn(d);
    await rm(policy);
    expect(problemsOf(await storeOn(d))).toEqual([deletedPolicy]);
    const err = await loadConfig(d, TOOLS).catch((e: unknown) => e);
    expect((err as ConfigError).problems).toEqual([deletedPolicy]);
  });

  it('a deleted unraid-mcp.cfg is the same hole (READ_ONLY="yes" would become read-write) and is refused too', async () => {
    const { d, cfg } = await dir({ cfg: 'READ_ONLY="yes"\nTOOLSETS="system"\n' });
    const store = await storeOn(d);
    await rm(cfg);
    expect(problemsOf(store)).toEqual([
      {
        file: 'unraid-mcp.cfg',
        field: '(file)',
        message: expect.stringMatching(
          /^was deleted: .*read-only mode, the toolset choice and the limits would fall back to their defaults\. .*"unraid-mcp config reset unraid-mcp\.cfg"/,
        ) as string,
      },
    ]);
    expect(store.current().settings.readOnly).toBe(true);
  });

  it('when the list cannot be read, a missing file is refused (existence unknown) and the list is left alone', async () => {
    const { d, seen } = await dir();
    await mkdir(seen);
    expect(problemsOf(await storeOn(d))).toEqual([
      {
        file: 'unraid-mcp.cfg',
        field: '(file)',
        message: expect.stringMatching(
          /^is missing, and whether it existed before cannot be told \(settings-seen\.txt cannot be read: EISDIR\)/,
        ) as string,
      },
      expect.objectContaining({ file: 'policy.json', field: '(file)' }),
    ]);
    const { d: d2, seen: seen2 } = await dir({ cfg: '', policy: POLICY });
    await mkdir(seen2);
    expect((await storeOn(d2)).current().error).toBeNull();
    expect((await stat(seen2)).isDirectory()).toBe(true);
  });

  it('a policy.json first written by the admin API is remembered too', async () => {
    const { d, policy } = await dir();
    const store = await storeOn(d);
    await store.update({ filters: { containers: { deny: ['plex*'] } } });
    await rm(policy);
    expect(problemsOf(await storeOn(d))).toEqual([deletedPolicy]);
  });
});

describe('resetSettingsFile (unraid-mcp config reset)', () => {
  it('recreates a deleted file with the full defaults, which lifts the lockdown', async () => {
    const { d, policy, cfg } = await dir({ cfg: 'READ_ONLY="yes"\n', policy: POLICY });
    const store = await storeOn(d);
    await rm(policy);
    await rm(cfg);
    expect(problemsOf(store)).toHaveLength(2);
    expect(await resetSettingsFile(d, 'policy.json')).toBe(policy);
    expect(await resetSettingsFile(d, 'unraid-mcp.cfg')).toBe(cfg);
    expect(await readFile(cfg, 'utf8')).toMatch(
      /^# Recreated with the defaults by "unraid-mcp config reset unraid-mcp\.cfg"\.\nPORT="8765"\nBIND="0\.0\.0\.0"\nHTTP="yes"\nHTTPS="yes"\nHTTPS_PORT="8767"\nREAD_ONLY="no"\nTOOLSETS="system,docker,vm"\n/,
    );
    expect((await stat(policy)).mode & 0o777).toBe(0o600);
    expect(store.current()).toMatchObject({ error: null, settings: DEFAULT_SETTINGS });
  });

  it('never overwrites a file that is there, and names only settings files', async () => {
    const { d, policy } = await dir({ policy: POLICY });
    await expect(resetSettingsFile(d, 'policy.json')).rejects.toThrow(
      `${policy} exists, so it was not reset: "config reset" only recreates a deleted file.`,
    );
    expect(await readFile(policy, 'utf8')).toBe(POLICY);
    await expect(resetSettingsFile(d, 'tokens.json')).rejects.toBeInstanceOf(ResetRefused);
    await expect(resetSettingsFile(d, '../x')).rejects.toThrow(
      '"../x" is not a settings file (give unraid-mcp.cfg or policy.json)',
    );
  });
});
