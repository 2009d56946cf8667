import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { serializeCfg } from './cfg-file.js';
import { POLICY_FILE, serializePolicyFile } from './policy-file.js';
import { WATCHED_FILES } from './seen-settings-files.js';
import {
  DEFAULT_POLICY_SETTINGS,
  DEFAULT_SETTINGS,
  SERVICE_FIELDS,
  SETTINGS_FILE,
  CFG_KEYS,
  cfgValue,
} from './settings.js';

/** Why a reset was refused, in words for the owner. */
export class ResetRefused extends Error {
  override readonly name = 'ResetRefused';
}

/** The default content of a settings file, written out in full so the owner sees what is in force. */
export function defaultContent(file: string): string {
  if (file === POLICY_FILE) return serializePolicyFile(DEFAULT_POLICY_SETTINGS);
  const values = Object.fromEntries(SERVICE_FIELDS.map((f) => [CFG_KEYS[f], cfgValue(DEFAULT_SETTINGS, f)]));
  return `# Recreated with the defaults by "unraid-mcp config reset ${SETTINGS_FILE}".\n${serializeCfg(values)}`;
}

/**
 * The owner's explicit way out of the lockdown a deleted settings file causes, when there is no
 * backup to restore: recreates the file with the default content (for policy.json: no filters, no
 * protection, no confirmation overrides). Only a missing file is recreated — a present one, valid or
 * not, is the owner's to edit — so the command can never throw rules away. The running service sees
 * the new file within a second and lifts the lockdown.
 */
export async function resetSettingsFile(configDir: string, file: string): Promise<string> {
  if (!WATCHED_FILES.includes(file))
    throw new ResetRefused(
      `"${file.slice(0, 80)}" is not a settings file (give ${WATCHED_FILES.join(' or ')})`,
    );
  const path = join(configDir, file);
  if (existsSync(path))
    throw new ResetRefused(
      `${path} exists, so it was not reset: "config reset" only recreates a deleted file. ` +
        'Edit it (or use Settings → unraid-mcp); "unraid-mcp config check" names any problem in it.',
    );
  await writeFileAtomic(path, defaultContent(file), 0o600);
  return path;
}
