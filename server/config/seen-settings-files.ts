import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY_FILE } from './policy-file.js';
import { SETTINGS_FILE } from './settings.js';

/**
 * Which settings files this config directory has held, so that a file that existed and is gone is
 * told apart from a fresh install. A missing file means defaults, and the defaults are the weakest
 * rules (no filters, no protection, read-only off, every toolset): a deleted policy.json or
 * unraid-mcp.cfg must lock MCP down instead, until the file is restored or the owner resets it.
 *
 * One small text file next to the settings, on the flash drive like them, so the knowledge survives
 * a restart and a reboot. The store adds a name the first time it reads that file present (written
 * only when the list grows: at most once per file, ever). Deleting the whole config directory —
 * tokens included — is a fresh install again.
 */
export const SEEN_FILE = 'settings-seen.txt';

/** The files whose disappearance would weaken the rules. */
export const WATCHED_FILES: ReadonlyArray<string> = [SETTINGS_FILE, POLICY_FILE];

/** The names in the seen list; `unreadable` is set when the list could not be read (then nothing is known). */
export interface SeenFiles {
  files: ReadonlySet<string>;
  unreadable: string | null;
}

export const NOTHING_SEEN: SeenFiles = { files: new Set(), unreadable: null };

/** Reads the seen list; a missing list is an empty one (a fresh install or a version before the list). */
export function readSeenFiles(configDir: string): SeenFiles {
  let text: string;
  try {
    text = readFileSync(join(configDir, SEEN_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return code === 'ENOENT' ? NOTHING_SEEN : { files: new Set(), unreadable: code };
  }
  const names = text.split(/\r?\n/).map((l) => l.trim());
  return { files: new Set(names.filter((n) => WATCHED_FILES.includes(n))), unreadable: null };
}

export function serializeSeenFiles(files: Iterable<string>): string {
  return [
    '# Settings files unraid-mcp has read in this folder. If one of them disappears, MCP stays off',
    '# until it is restored or recreated with "unraid-mcp config reset FILE". Written by unraid-mcp.',
    ...WATCHED_FILES.filter((f) => [...files].includes(f)),
  ]
    .join('\n')
    .concat('\n');
}

/**
 * The problem with a missing settings file, or null when missing simply means defaults (never seen).
 * `weakened` says in plain words what the defaults would switch off.
 */
export function deletedFileProblem(file: string, seen: SeenFiles): string | null {
  const weakened =
    file === POLICY_FILE
      ? 'every filter, protection and confirmation override would be gone'
      : 'read-only mode, the toolset choice and the limits would fall back to their defaults';
  const recover = `Restore it from a backup (the flash backup has it), or run "unraid-mcp config reset ${file}" to start again with the defaults`;
  if (seen.files.has(file))
    return `was deleted: unraid-mcp has read it before (${SEEN_FILE}), and without it ${weakened}. ${recover}`;
  if (seen.unreadable !== null)
    return `is missing, and whether it existed before cannot be told (${SEEN_FILE} cannot be read: ${seen.unreadable}); without it ${weakened}. ${recover}`;
  return null;
}
