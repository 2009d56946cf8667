import { unlink } from 'node:fs/promises';
import type { FileText } from './config-files.js';
import { SettingsWriteError, errorCode } from './settings-write-error.js';

/** One file of a multi-file save: where, what it held before, what it should hold. */
export interface PlannedWrite {
  file: string;
  path: string;
  before: FileText;
  content: string;
}

/**
 * Writes the files in order; if one fails, puts every file back to its previous content (deleting
 * those that did not exist), so a save is all or nothing. Each write is atomic on its own; this makes
 * the pair atomic for our readers (the store does not reload mid-save), though a process reading the
 * files in between can still see the first file new and the second old.
 */
export async function writeOrRestore(
  writes: ReadonlyArray<PlannedWrite>,
  write: (path: string, content: string) => Promise<boolean>,
): Promise<void> {
  const done: PlannedWrite[] = [];
  for (const w of writes) {
    try {
      await write(w.path, w.content);
      done.push(w);
    } catch (err) {
      // Put back the failed file too: a failure after the rename (directory fsync) leaves it new.
      const failures: string[] = [];
      for (const r of [w, ...done.reverse()]) {
        try {
          if (r.before.state === 'present') await write(r.path, r.before.text);
          else if (r.before.state === 'missing')
            await unlink(r.path).catch((e: NodeJS.ErrnoException) =>
              e.code === 'ENOENT' ? undefined : Promise.reject(e),
            );
        } catch (restoreErr) {
          failures.push(`${r.file}: ${errorCode(restoreErr)}`);
        }
      }
      throw new SettingsWriteError(w.file, !failures.length, err, failures.join('; '));
    }
  }
}
