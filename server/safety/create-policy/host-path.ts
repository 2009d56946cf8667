import { posix } from 'node:path';

/**
 * Host folders a container may bind by default: folders *inside* appdata and inside a named user share
 * (`/mnt/user/<share>/<folder>…`) — never a share, disk, pool or /mnt/user itself. A `*` matches one
 * path segment; an entry allows the path it matches and everything under it. The owner can change the
 * list (see the bind-allowlist setting); the system folders below stay refused whatever it says.
 */
export const DEFAULT_BIND_ALLOWLIST: ReadonlyArray<string> = ['/mnt/user/appdata/*', '/mnt/user/*/*'];

/** What a refused host path is, and why binding it matters. */
export interface Sensitive {
  what: string;
  why: string | null;
}

const CONTROL_ALL = 'containers with it control the whole server';
/** Host paths no container may bind, nor any folder that contains them. */
const SENSITIVE: ReadonlyArray<{ path: string } & Sensitive> = [
  { path: '/var/run/docker.sock', what: 'the Docker socket', why: CONTROL_ALL },
  { path: '/run/docker.sock', what: 'the Docker socket', why: CONTROL_ALL },
  { path: '/var/run/docker', what: "Docker's runtime folder", why: CONTROL_ALL },
  { path: '/run/docker', what: "Docker's runtime folder", why: CONTROL_ALL },
  { path: '/var/run/containerd', what: 'the containerd socket', why: CONTROL_ALL },
  { path: '/run/containerd', what: 'the containerd socket', why: CONTROL_ALL },
  { path: '/var/lib/docker', what: "Docker's data (every container's files)", why: CONTROL_ALL },
  { path: '/var/run/libvirt', what: 'the libvirt socket', why: 'containers with it control every VM and the server' },
  { path: '/run/libvirt', what: 'the libvirt socket', why: 'containers with it control every VM and the server' },
  { path: '/var/lib/libvirt', what: "libvirt's data", why: 'containers with it control every VM' },
  { path: '/var/local/emhttp', what: "Unraid's state files", why: "they hold the WebGUI's CSRF token" },
  { path: '/boot', what: 'the Unraid flash drive', why: 'it holds the boot files and all configuration' },
  { path: '/dev', what: "the server's devices", why: 'use `devices` to pass in one device' },
  { path: '/etc', what: "the server's system configuration", why: null },
  { path: '/lib', what: "the server's system libraries", why: null },
  { path: '/lib64', what: "the server's system libraries", why: null },
  { path: '/usr', what: "the server's system programs", why: null },
  { path: '/bin', what: "the server's system programs", why: null },
  { path: '/sbin', what: "the server's system programs", why: null },
  { path: '/proc', what: "the kernel's process interface", why: 'containers with it can reach every process on the server' },
  { path: '/sys', what: "the kernel's device and settings interface", why: 'containers with it can reconfigure the server' },
  { path: '/root', what: "root's home folder", why: 'it holds SSH keys and credentials' },
];

/** Sensitive folders at any disk, pool or share root (`/mnt/<x>/system`, …). */
const SENSITIVE_UNDER_MNT: ReadonlyArray<{ name: string } & Sensitive> = [
  { name: 'system', what: 'the system share', why: 'it holds docker.img and libvirt.img — every container and VM' },
  { name: 'appdata/unraid-mcp', what: "unraid-mcp's own data", why: 'it holds the audit log' },
];

const segments = (p: string) => p.split('/').filter(Boolean);
const inside = (p: string, base: string) => p === base || p.startsWith(base === '/' ? '/' : `${base}/`);

/**
 * What is wrong with a host path as written, before it is resolved: not absolute, percent-encoded,
 * backslashes, control characters or a `..` segment. Such paths are refused, never "fixed".
 */
export function writtenPathProblem(raw: string): string | null {
  if (/[\x00-\x1f\x7f]/.test(raw)) return 'contains control characters';
  if (!raw.startsWith('/')) return 'is not an absolute path (it must start with "/")';
  if (/%[0-9a-fA-F]{2}/.test(raw)) return 'contains percent-encoding (such as %2e or %2f) — write the path plainly';
  if (raw.includes('\\')) return 'contains a backslash';
  if (raw.split('/').includes('..')) return 'contains a ".." segment — write the path without ".."';
  return null;
}

/** The path with repeated and trailing slashes and `.` segments removed (`/boot/` → `/boot`). */
export function normaliseHostPath(raw: string): string {
  return posix.resolve('/', raw);
}

/** Why binding this (normalised, absolute) path is refused whatever the allowlist says, or null. */
export function sensitivePath(p: string): Sensitive | null {
  if (p === '/') return { what: "the server's whole root filesystem", why: CONTROL_ALL };
  for (const s of SENSITIVE) {
    if (inside(p, s.path)) return { what: s.what, why: s.why };
    if (inside(s.path, p)) return { what: `a folder that contains ${s.what} (${s.path})`, why: s.why };
  }
  const seg = segments(p);
  if (seg[0] !== 'mnt') return null;
  if (seg.length === 1) return { what: 'the folder that holds every disk, pool and share', why: 'bind a folder inside a share, such as /mnt/user/appdata/<name>' };
  const root = `/mnt/${seg[1]}`;
  if (seg.length === 2) {
    const hint = 'bind a folder inside a share, such as /mnt/user/appdata/<name>';
    if (seg[1] === 'user' || seg[1] === 'user0') return { what: `the whole user-share tree (${root})`, why: hint };
    if (/^disk\d+$/.test(seg[1] as string)) return { what: `a whole array disk (${root})`, why: hint };
    return { what: `a whole pool or mount root (${root})`, why: hint };
  }
  for (const s of SENSITIVE_UNDER_MNT) {
    const sp = `${root}/${s.name}`;
    if (inside(p, sp)) return { what: s.what, why: s.why };
    if (inside(sp, p)) return { what: `a folder that contains ${s.what} (${sp})`, why: s.why };
  }
  return null;
}

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
