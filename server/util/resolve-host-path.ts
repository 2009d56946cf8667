import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';

/** Where a host path really leads, or why that could not be found out. */
export type RealPath = { ok: true; path: string } | { ok: false; reason: string };

const MAX_LINKS = 40;

/**
 * Resolves every symbolic link along an absolute path, like `realpath -m`: components that exist are
 * followed through their links (a link to `/` is caught), the first missing component and everything
 * after it are kept as written (Docker creates them). `..` inside a link target is applied to the
 * physical parent. This is the one place the create policy touches the file system; it runs on the
 * host itself, so it sees the same tree dockerd mounts from.
 *
 * A race remains: something that can write inside an allowed folder (another container bound to it)
 * could swap a folder for a link between this check and Docker's mount. Passing the resolved path to
 * Docker narrows it to that window.
 */
export async function resolveHostPath(absolute: string): Promise<RealPath> {
  let resolved = '/';
  const todo = absolute.split('/').filter(Boolean);
  let links = 0;
  while (todo.length) {
    const part = todo.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      resolved = posix.dirname(resolved);
      continue;
    }
    const next = posix.join(resolved, part);
    let isLink: boolean;
    try {
      isLink = (await lstat(next)).isSymbolicLink();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: true, path: posix.join(next, ...todo) };
      return { ok: false, reason: `cannot be checked (${code ?? 'error'} on ${next})` };
    }
    if (!isLink) {
      resolved = next;
      continue;
    }
    if (++links > MAX_LINKS) return { ok: false, reason: 'goes through too many symbolic links (a loop?)' };
    let target: string;
    try {
      target = await readlink(next);
    } catch (err) {
      return {
        ok: false,
        reason: `cannot be checked (${(err as NodeJS.ErrnoException).code ?? 'error'} reading the link ${next})`,
      };
    }
    if (target.startsWith('/')) resolved = '/';
    todo.unshift(...target.split('/').filter(Boolean));
  }
  return { ok: true, path: resolved };
}

/** Resolves several paths at once, keyed by the path given. */
export async function resolveHostPaths(paths: Iterable<string>): Promise<Map<string, RealPath>> {
  const unique = [...new Set(paths)];
  const results = await Promise.all(unique.map((p) => resolveHostPath(p)));
  return new Map(unique.map((p, i) => [p, results[i] as RealPath]));
}
