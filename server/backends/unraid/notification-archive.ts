import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';

export interface ArchiveResult {
  /** File names moved out of `unread/`, in the order handled. */
  archived: string[];
  /** Files that could not be archived, with why. */
  failed: Array<{ file: string; reason: string }>;
}

/**
 * Archives unread notifications as the WebGUI does: the unread copy leaves `unread/`. notify wrote an
 * archived twin when it created the notification, so when `archive/` already holds the same name the
 * unread copy is removed (what `notify archive` does); otherwise it is moved there, so nothing is lost.
 */
export async function archiveNotifications(
  dir: string,
  which: { file: string } | 'all',
): Promise<ArchiveResult> {
  const unreadDir = join(dir, 'unread');
  const archiveDir = join(dir, 'archive');
  let files: string[];
  if (which === 'all') {
    files = await unreadNames(unreadDir);
  } else {
    if (!(await isFile(join(unreadDir, which.file)))) {
      const archived = await isFile(join(archiveDir, which.file));
      throw new NotFoundError(
        archived
          ? `The notification ${which.file} is already archived.`
          : `There is no unread notification ${which.file}; notifications_list shows the unread ones with their file names.`,
      );
    }
    files = [which.file];
  }
  const result: ArchiveResult = { archived: [], failed: [] };
  if (files.length === 0) return result;
  await mkdir(archiveDir, { recursive: true, mode: 0o755 });
  for (const file of files) {
    try {
      if (await isFile(join(archiveDir, file))) await unlink(join(unreadDir, file));
      else await rename(join(unreadDir, file), join(archiveDir, file));
      result.archived.push(file);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // Archived meanwhile (the WebGUI, another client): the outcome asked for holds.
      if (code === 'ENOENT') result.archived.push(file);
      else result.failed.push({ file, reason: describeFsError(code) });
    }
  }
  return result;
}

async function unreadNames(unreadDir: string): Promise<string[]> {
  try {
    const out: string[] = [];
    for (const d of await readdir(unreadDir, { withFileTypes: true }))
      if (d.isFile() && d.name.endsWith('.notify')) out.push(d.name);
    return out.sort();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') return [];
    throw new BackendUnavailableError(
      `The unread notifications could not be listed (${describeFsError(code)}).`,
    );
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function describeFsError(code: unknown): string {
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied — unraid-mcp must run as root';
  if (code === 'EROFS') return 'the folder is read-only';
  if (code === 'ENOSPC') return 'no space left';
  return `error ${typeof code === 'string' ? code : 'unknown'}`;
}
