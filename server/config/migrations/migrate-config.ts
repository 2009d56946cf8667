import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { SETTINGS_FILE } from '../settings.js';
import type { Logger } from '../../log.js';
import { CFG_MIGRATIONS, type CfgMigration } from './cfg-migrations.js';

/** In the config folder: the id of the last migration applied to unraid-mcp.cfg (absent: none). */
export const CONFIG_VERSION_FILE = 'config-version';

export interface MigrationReport {
  /** config-version before (0: none recorded). */
  from: number;
  /** config-version after. */
  to: number;
  applied: Array<{ id: number; summary: string }>;
  /** config-version names a migration this version does not know: a newer version wrote the folder. */
  newer: boolean;
}

/**
 * Brings unraid-mcp.cfg up to this version before the settings are read: runs, in order, every
 * migration newer than config-version, writes the cfg once if they changed it, then records the
 * newest id. Writes nothing when nothing is pending (the folder is on the flash drive). A folder
 * written by a newer version is left as it is: its settings store then names what it cannot read.
 */
export async function migrateConfig(opts: {
  configDir: string;
  log: Logger;
  migrations?: ReadonlyArray<CfgMigration>;
}): Promise<MigrationReport> {
  const migrations = opts.migrations ?? CFG_MIGRATIONS;
  const latest = migrations.reduce((n, m) => Math.max(n, m.id), 0);
  const stampPath = join(opts.configDir, CONFIG_VERSION_FILE);
  const stampText = await readFile(stampPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  const from = stampText === null ? 0 : Number(stampText.trim());
  if (!Number.isInteger(from) || from < 0) {
    throw new Error(
      `${stampPath} should hold a whole number (the last settings migration applied), not ${JSON.stringify(stampText?.trim().slice(0, 40))}; delete it to run every migration again`,
    );
  }
  if (from > latest) {
    opts.log.warn('the settings were last migrated by a newer version of unraid-mcp', {
      configVersion: from,
      known: latest,
    });
    return { from, to: from, applied: [], newer: true };
  }
  const pending = [...migrations].filter((m) => m.id > from).sort((a, b) => a.id - b.id);
  if (!pending.length) return { from, to: from, applied: [], newer: false };

  const cfgPath = join(opts.configDir, SETTINGS_FILE);
  const before = await readFile(cfgPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  let text = before;
  for (const m of pending) text = m.apply(text);
  if (text !== null && text !== before) await writeFileAtomic(cfgPath, text);
  await writeFileAtomic(stampPath, `${latest}\n`);
  const applied = pending.map(({ id, summary }) => ({ id, summary }));
  for (const m of applied) opts.log.info('settings migrated', { migration: m.id, change: m.summary });
  return { from, to: latest, applied, newer: false };
}
