import { randomBytes } from 'node:crypto';
import { lstat, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditFileHandle } from './chain-file.js';

/** Which file the writer has open: compared with what the path names now. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

/**
 * What became of audit.jsonl behind the writer's back. The writer keeps its file open, so a file
 * moved away (`mv`), deleted, or replaced by a new one (`sed -i`, an editor's save: a new file
 * renamed over the path) would go on receiving records nobody can find; a file cut or rewritten in
 * place, or appended to, no longer holds what was written.
 */
export type LiveFileFinding =
  | { found: 'missing' }
  | { found: 'other-inode'; size: number }
  | { found: 'shorter'; size: number }
  | { found: 'longer'; size: number };

/**
 * Compares the path with the open file and the bytes written to it: one lstat per write batch
 * (lstat, so a symlink put in its place is a different file too). Null when all is as written.
 */
export async function inspectLiveFile(
  path: string,
  open: FileIdentity,
  written: number,
): Promise<LiveFileFinding | null> {
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { found: 'missing' };
    throw err;
  }
  if (st.ino !== open.ino || st.dev !== open.dev) return { found: 'other-inode', size: st.size };
  if (st.size < written) return { found: 'shorter', size: st.size };
  if (st.size > written) return { found: 'longer', size: st.size };
  return null;
}

/** The name `mv` gave the open file, when it is still in `dir` (rare path: one lstat per entry). */
export async function findByIdentity(dir: string, id: FileIdentity): Promise<string | null> {
  for (const name of await readdir(dir)) {
    const st = await lstat(join(dir, name)).catch(() => null);
    if (st && st.ino === id.ino && st.dev === id.dev) return name;
  }
  return null;
}

/**
 * Copies the first `length` bytes of the still-open file into `dir/name` (0600, fsynced, created
 * under a temporary name and renamed, so a crash never leaves half a chain file). The open handle
 * still reads what was written even after the path was deleted or renamed over.
 */
export async function copyOpenFile(
  fh: AuditFileHandle,
  length: number,
  dir: string,
  name: string,
): Promise<void> {
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const out = await open(tmp, 'wx', 0o600);
  try {
    const buf = Buffer.allocUnsafe(256 * 1024);
    for (let pos = 0; pos < length;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, length - pos), pos);
      if (bytesRead <= 0) throw new Error(`the open audit file ended at ${pos} of ${length} bytes`);
      await out.write(buf, 0, bytesRead);
      pos += bytesRead;
    }
    await out.sync();
    await out.close();
    await rename(tmp, join(dir, name));
  } catch (err) {
    await out.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
