import { normaliseHostPath, pathSegments as segments, writtenPathProblem } from '../util/host-path.js';

/**
 * Host folders a container may bind by default: folders *inside* appdata and inside a named user share
 * (`/mnt/user/<share>/<folder>…`) — never a share, disk, pool or /mnt/user itself. A `*` matches one
 * path segment; an entry allows the path it matches and everything under it. The owner can change the
 * list (see the bind-allowlist setting); the system folders below stay refused whatever it says.
 */
export const DEFAULT_BIND_ALLOWLIST: ReadonlyArray<string> = ['/mnt/user/appdata/*', '/mnt/user/*/*'];

/** Null when `entry` can be an allowlist entry (absolute, no `..` or encoding), else why not. */
export function allowlistEntryProblem(entry: string): string | null {
  const written = writtenPathProblem(entry);
  if (written) return `"${entry}" ${written}`;
  if (normaliseHostPath(entry) === '/') return `"${entry}" would allow every folder`;
  return null;
}

/** True when `p` (normalised) is an allowlist entry's match or lies inside one. */
export function allowlistMatch(p: string, entries: ReadonlyArray<string>): string | null {
  const ps = segments(p);
  for (const entry of entries) {
    const es = segments(normaliseHostPath(entry));
    if (es.length === 0 || ps.length < es.length) continue;
    if (es.every((e, i) => e === '*' || e === ps[i])) return entry;
  }
  return null;
}

/**
 * The part of an allowlist entry before its first `*` segment, which can be resolved on disk (so an
 * entry under a symlinked folder still matches the resolved bind path), and the pattern after it.
 */
export function splitAllowlistEntry(entry: string): { prefix: string; rest: string[] } {
  const es = segments(normaliseHostPath(entry));
  const star = es.indexOf('*');
  const cut = star < 0 ? es.length : star;
  return { prefix: `/${es.slice(0, cut).join('/')}`, rest: es.slice(cut) };
}
