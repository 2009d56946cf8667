import { isInside as inside, pathSegments as segments } from '../../util/host-path.js';

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
  {
    path: '/var/run/libvirt',
    what: 'the libvirt socket',
    why: 'containers with it control every VM and the server',
  },
  {
    path: '/run/libvirt',
    what: 'the libvirt socket',
    why: 'containers with it control every VM and the server',
  },
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
  {
    path: '/proc',
    what: "the kernel's process interface",
    why: 'containers with it can reach every process on the server',
  },
  {
    path: '/sys',
    what: "the kernel's device and settings interface",
    why: 'containers with it can reconfigure the server',
  },
  { path: '/root', what: "root's home folder", why: 'it holds SSH keys and credentials' },
];

/** Sensitive folders at any disk, pool or share root (`/mnt/<x>/system`, …). */
const SENSITIVE_UNDER_MNT: ReadonlyArray<{ name: string } & Sensitive> = [
  {
    name: 'system',
    what: 'the system share',
    why: 'it holds docker.img and libvirt.img — every container and VM',
  },
  { name: 'appdata/unraid-mcp', what: "unraid-mcp's own data", why: 'it holds the audit log' },
];

/** Why binding this (normalised, absolute) path is refused whatever the allowlist says, or null. */
export function sensitivePath(p: string): Sensitive | null {
  if (p === '/') return { what: "the server's whole root filesystem", why: CONTROL_ALL };
  for (const s of SENSITIVE) {
    if (inside(p, s.path)) return { what: s.what, why: s.why };
    if (inside(s.path, p)) return { what: `a folder that contains ${s.what} (${s.path})`, why: s.why };
  }
  const seg = segments(p);
  if (seg[0] !== 'mnt') return null;
  if (seg.length === 1)
    return {
      what: 'the folder that holds every disk, pool and share',
      why: 'bind a folder inside a share, such as /mnt/user/appdata/<name>',
    };
  const root = `/mnt/${seg[1]}`;
  if (seg.length === 2) {
    const hint = 'bind a folder inside a share, such as /mnt/user/appdata/<name>';
    if (seg[1] === 'user' || seg[1] === 'user0')
      return { what: `the whole user-share tree (${root})`, why: hint };
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
