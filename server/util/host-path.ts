import { posix } from 'node:path';

/** The non-empty segments of a path (`/mnt/user/` → ["mnt", "user"]). */
export const pathSegments = (p: string): string[] => p.split('/').filter(Boolean);

/** True when `p` is `base` or lies under it (both normalised). */
export const isInside = (p: string, base: string): boolean =>
  p === base || p.startsWith(base === '/' ? '/' : `${base}/`);

/**
 * What is wrong with a host path as written, before it is resolved: not absolute, percent-encoded,
 * backslashes, control characters or a `..` segment. Such paths are refused, never "fixed".
 */
export function writtenPathProblem(raw: string): string | null {
  if (/[\x00-\x1f\x7f]/.test(raw)) return 'contains control characters';
  if (!raw.startsWith('/')) return 'is not an absolute path (it must start with "/")';
  if (/%[0-9a-fA-F]{2}/.test(raw))
    return 'contains percent-encoding (such as %2e or %2f) — write the path plainly';
  if (raw.includes('\\')) return 'contains a backslash';
  if (raw.split('/').includes('..')) return 'contains a ".." segment — write the path without ".."';
  return null;
}

/** The path with repeated and trailing slashes and `.` segments removed (`/boot/` → `/boot`). */
export function normaliseHostPath(raw: string): string {
  return posix.resolve('/', raw);
}
