/** What one `security_opt` entry means for the create policy. */
export type SecurityOptVerdict =
  | { kind: 'ok'; option: string }
  /** `no-new-privileges:false`: allowed, but it removes a default, so it is pointed out for confirmation. */
  | { kind: 'confirm'; option: string; note: string }
  | { kind: 'refuse'; why: string };

/**
 * Docker accepts `key=value` and the older `key:value`; both forms (in any letter case) are read the
 * same here so `seccomp:unconfined` cannot slip past a check for `seccomp=unconfined`.
 * Accepted: no-new-privileges[=true|false] and an AppArmor profile by name. Refused: everything that
 * switches a protection off (seccomp, AppArmor, SELinux labels, masked system paths) and custom
 * seccomp profiles (one line of JSON can allow every system call).
 */
export function checkSecurityOpt(raw: string): SecurityOptVerdict {
  const m = /^([a-zA-Z-]+)(?:[=:](.*))?$/s.exec(raw.trim());
  if (!m) return { kind: 'refuse', why: 'is not a security option (expected key=value)' };
  const key = (m[1] as string).toLowerCase();
  const value = m[2];
  const v = value?.trim().toLowerCase();
  switch (key) {
    case 'no-new-privileges':
      if (v === undefined || v === 'true') return { kind: 'ok', option: 'no-new-privileges:true' };
      if (v === 'false')
        return {
          kind: 'confirm',
          option: 'no-new-privileges:false',
          note: 'no-new-privileges is turned off (processes may gain privileges through setuid programs)',
        };
      return { kind: 'refuse', why: 'takes true or false' };
    case 'seccomp':
      if (v === 'unconfined')
        return {
          kind: 'refuse',
          why: 'is refused — it turns off the system-call filter that blocks most container escapes',
        };
      return {
        kind: 'refuse',
        why: "is refused — custom seccomp profiles are not accepted (one can allow every system call); leave it out to keep Docker's default profile",
      };
    case 'apparmor':
      if (v === 'unconfined')
        return {
          kind: 'refuse',
          why: 'is refused — it turns off the AppArmor profile that confines the container',
        };
      if (value && /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(value.trim()))
        return { kind: 'ok', option: `apparmor=${value.trim()}` };
      return { kind: 'refuse', why: 'needs the name of an AppArmor profile' };
    case 'label':
      if (v === 'disable')
        return { kind: 'refuse', why: 'is refused — it turns off SELinux separation for the container' };
      return {
        kind: 'refuse',
        why: 'is refused — SELinux label options are not accepted through MCP (type:spc_t, for one, removes separation)',
      };
    case 'systempaths':
      if (v === 'unconfined')
        return {
          kind: 'refuse',
          why: "is refused — it unmasks the kernel's /proc and /sys paths that Docker hides from containers",
        };
      return { kind: 'refuse', why: 'only takes "unconfined", which is refused' };
    default:
      return {
        kind: 'refuse',
        why: 'is not a security option unraid-mcp accepts (accepted: no-new-privileges, apparmor=<profile>)',
      };
  }
}
