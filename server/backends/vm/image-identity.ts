import { stat } from 'node:fs/promises';
import { normaliseHostPath } from '../../util/host-path.js';
import { resolveHostPath } from '../../util/resolve-host-path.js';

/**
 * What an absolute disk image path really names, as a key two spellings of one file share: the file's device
 * and inode when it exists (so a symbolic link, a `..` detour or a hard link to another VM's disk all
 * compare equal to it), else the path with every link along it resolved, else the path as written.
 */
export async function imageIdentity(path: string): Promise<string> {
  // Resolved as written: `..` is applied after the links before it are followed, as the kernel does
  // (normalising first would turn `/a/link/../b` into `/a/b`, which may be another file).
  const real = await resolveHostPath(path);
  const resolved = real.ok ? real.path : normaliseHostPath(path);
  const info = await stat(resolved).catch(() => null);
  return info ? `inode:${info.dev}:${info.ino}` : `path:${resolved}`;
}
