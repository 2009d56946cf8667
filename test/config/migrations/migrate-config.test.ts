import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../server/log.js';
import { migrateConfig, CONFIG_VERSION_FILE } from '../../../server/config/migrations/migrate-config.js';
import { CFG_MIGRATIONS, type CfgMigration } from '../../../server/config/migrations/cfg-migrations.js';
import { removeKey, renameKey, setIfAbsent } from '../../../server/config/migrations/cfg-edits.js';
import { settingsFromCfg } from '../../../server/config/settings.js';
import { parseCfg } from '../../../server/config/cfg-file.js';

let dir: string;
let lines: string[];
const log = createLogger('debug', (l) => lines.push(l));
const cfg = () => readFile(join(dir, 'unraid-mcp.cfg'), 'utf8');
const stamp = () => readFile(join(dir, CONFIG_VERSION_FILE), 'utf8').catch(() => null);

// Two changes a later version might make, as the list in cfg-migrations.ts would hold them.
const RENAME: CfgMigration = {
  id: 1,
  summary: 'TIMEOUT is now TOOL_TIMEOUT_SECONDS',
  apply: (t) => renameKey(t, 'TIMEOUT', 'TOOL_TIMEOUT_SECONDS'),
};
const KEEP_OFF: CfgMigration = {
  id: 2,
  summary: 'an existing install keeps READ_ONLY off when the default becomes on',
  apply: (t) => setIfAbsent(t, 'READ_ONLY', 'no'),
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'umcp-migrate-'));
  lines = [];
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('migrateConfig', () => {
  it('runs the pending migrations in order on the cfg an older version wrote, keeping comments and order, and records the newest id', async () => {
    await writeFile(join(dir, 'unraid-mcp.cfg'), '# mine\nPORT="9000"\nTIMEOUT="45"\nBIND="0.0.0.0"\n');
    const report = await migrateConfig({ configDir: dir, log, migrations: [KEEP_OFF, RENAME] });
    expect(report).toEqual({
      from: 0,
      to: 2,
      applied: [
        { id: 1, summary: RENAME.summary },
        { id: 2, summary: KEEP_OFF.summary },
      ],
      newer: false,
    });
    expect(await cfg()).toBe(
      '# mine\nPORT="9000"\nTOOL_TIMEOUT_SECONDS="45"\nBIND="0.0.0.0"\nREAD_ONLY="no"\n',
    );
    expect(await stamp()).toBe('2\n');
    // The result is a cfg this version reads.
    expect(settingsFromCfg(parseCfg(await cfg()).values).toolTimeoutMs).toBe(45_000);
    expect(lines.join('\n')).toContain('TIMEOUT is now TOOL_TIMEOUT_SECONDS');
  });

  it('runs only what is newer than config-version, and writes nothing when nothing is pending', async () => {
    await writeFile(join(dir, 'unraid-mcp.cfg'), 'TIMEOUT="45"\n');
    await writeFile(join(dir, CONFIG_VERSION_FILE), '1\n');
    const report = await migrateConfig({ configDir: dir, log, migrations: [RENAME, KEEP_OFF] });
    expect(report.applied.map((m) => m.id)).toEqual([2]);
    // RENAME counted as done: its key is left for the settings store to name.
    expect(await cfg()).toBe('TIMEOUT="45"\nREAD_ONLY="no"\n');
    const before = (await stat(join(dir, 'unraid-mcp.cfg'))).mtimeMs;
    const again = await migrateConfig({ configDir: dir, log, migrations: [RENAME, KEEP_OFF] });
    expect(again).toEqual({ from: 2, to: 2, applied: [], newer: false });
    expect((await stat(join(dir, 'unraid-mcp.cfg'))).mtimeMs).toBe(before);
  });

  it('gives the same file when a migration runs twice (a crash before config-version was written)', async () => {
    await writeFile(join(dir, 'unraid-mcp.cfg'), 'TIMEOUT="45"\n');
    await migrateConfig({ configDir: dir, log, migrations: [RENAME, KEEP_OFF] });
    const once = await cfg();
    await rm(join(dir, CONFIG_VERSION_FILE));
    await migrateConfig({ configDir: dir, log, migrations: [RENAME, KEEP_OFF] });
    expect(await cfg()).toBe(once);
  });

  it('creates no cfg on a fresh install, but records that the migrations are done', async () => {
    const report = await migrateConfig({ configDir: dir, log, migrations: [RENAME, KEEP_OFF] });
    expect(report.to).toBe(2);
    await expect(cfg()).rejects.toThrow(/ENOENT/);
    expect(await stamp()).toBe('2\n');
  });

  it('leaves a folder written by a newer version as it is and says so', async () => {
    await writeFile(join(dir, 'unraid-mcp.cfg'), 'NEW_KEY="x"\n');
    await writeFile(join(dir, CONFIG_VERSION_FILE), '7\n');
    const report = await migrateConfig({ configDir: dir, log, migrations: [RENAME] });
    expect(report).toEqual({ from: 7, to: 7, applied: [], newer: true });
    expect(await cfg()).toBe('NEW_KEY="x"\n');
    expect(lines.join('\n')).toContain('migrated by a newer version');
  });

  it('refuses a config-version that is not a whole number, naming the file and the way out', async () => {
    await writeFile(join(dir, CONFIG_VERSION_FILE), 'banana\n');
    await expect(migrateConfig({ configDir: dir, log, migrations: [RENAME] })).rejects.toThrow(
      /config-version should hold a whole number .* not "banana"; delete it/,
    );
  });

  it('does nothing with the shipped list while it is empty', async () => {
    expect(CFG_MIGRATIONS.map((m) => m.id)).toEqual(CFG_MIGRATIONS.map((_, i) => i + 1));
    await writeFile(join(dir, 'unraid-mcp.cfg'), 'PORT="8765"\n');
    const report = await migrateConfig({ configDir: dir, log });
    expect(report.applied).toEqual(CFG_MIGRATIONS.map(({ id, summary }) => ({ id, summary })));
  });
});

describe('cfg edits', () => {
  it('rename where the key stands, remove every line of a key, and set a key only when absent', () => {
    expect(renameKey('A="1"\r\nB="2"\r\n', 'A', 'C')).toBe('C="1"\r\nB="2"\r\n');
    expect(renameKey('A="1"\nC="3"\n', 'A', 'C')).toBe('A="1"\nC="3"\n');
    expect(renameKey(null, 'A', 'C')).toBeNull();
    expect(removeKey('# c\nA="1"\nB="2"\n', 'A')).toBe('# c\nB="2"\n');
    expect(setIfAbsent('A="1"\n', 'A', '2')).toBe('A="1"\n');
    expect(setIfAbsent('A="1"\n', 'B', '2')).toBe('A="1"\nB="2"\n');
  });
});
