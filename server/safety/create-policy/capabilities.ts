/**
 * Docker's default capability set (moby oci/caps/defaults.go). Adding one of these is harmless (the
 * container has it already unless it was dropped); anything else widens what a root process in the
 * container can do to the server and is refused.
 */
export const DOCKER_DEFAULT_CAPS: ReadonlyArray<string> = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

/** Every Linux capability name, so a typo is reported as a typo and not as "dangerous". */
const KNOWN_CAPS = new Set([
  ...DOCKER_DEFAULT_CAPS,
  'AUDIT_CONTROL',
  'AUDIT_READ',
  'BLOCK_SUSPEND',
  'BPF',
  'CHECKPOINT_RESTORE',
  'DAC_READ_SEARCH',
  'IPC_LOCK',
  'IPC_OWNER',
  'LEASE',
  'LINUX_IMMUTABLE',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'NET_ADMIN',
  'NET_BROADCAST',
  'PERFMON',
  'SYSLOG',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_MODULE',
  'SYS_NICE',
  'SYS_PACCT',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'WAKE_ALARM',
]);

/** Why the riskiest capabilities matter, for the refusal message. */
const WHY: Readonly<Record<string, string>> = {
  ALL: 'every capability at once — the same as a privileged container',
  SYS_ADMIN: 'mount file systems and much more — the classic container escape',
  NET_ADMIN: "reconfigure the server's network (interfaces, routes, firewall)",
  SYS_PTRACE: 'trace and inject code into processes',
  SYS_MODULE: 'load kernel modules into the server',
  DAC_READ_SEARCH: 'read any file by handle, bypassing the container boundary',
  SYS_RAWIO: 'raw access to disks and I/O ports',
  SYS_BOOT: 'reboot the server',
  SYS_TIME: "set the server's clock",
  BPF: 'load BPF programs into the kernel',
  MAC_ADMIN: 'change the security modules (AppArmor, SELinux)',
  SYSLOG: "read and clear the kernel's log",
};

/** `cap_sys_admin`, `CAP_SYS_ADMIN` and `SYS_ADMIN` are one capability. */
export function normaliseCap(cap: string): string {
  return cap.trim().toUpperCase().replace(/^CAP_/, '');
}

/** Null when adding `cap` is allowed, else why not (for `cap_add[i]: "X" …`). */
export function capAddProblem(cap: string): string | null {
  const c = normaliseCap(cap);
  if (DOCKER_DEFAULT_CAPS.includes(c)) return null;
  if (c !== 'ALL' && !KNOWN_CAPS.has(c)) return 'is not a Linux capability';
  const why = WHY[c];
  return `is refused — it is beyond Docker's default set${why ? ` and lets the container ${why.startsWith('every') ? 'have ' : ''}${why}` : ''} (only Docker's defaults may be added: ${DOCKER_DEFAULT_CAPS.join(', ')})`;
}

/** Null when dropping `cap` is understood (dropping only ever narrows), else why not. */
export function capDropProblem(cap: string): string | null {
  const c = normaliseCap(cap);
  return c === 'ALL' || KNOWN_CAPS.has(c) ? null : 'is not a Linux capability';
}
