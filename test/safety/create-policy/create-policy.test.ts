import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerRequestSchema } from '../../../server/tools/docker/shared/container-request.js';
import {
  checkCreatePolicy,
  DEFAULT_MEMORY_BYTES,
  DEFAULT_PIDS_LIMIT,
  pathsToResolve,
} from '../../../server/safety/create-policy/create-policy.js';
import { resolveHostPath, resolveHostPaths } from '../../../server/util/resolve-host-path.js';
import {
  allowlistEntryProblem,
  allowlistMatch,
  DEFAULT_BIND_ALLOWLIST,
} from '../../../server/config/bind-allowlist.js';

/** The create policy on its own: every refused and every confirmed option, obfuscated paths included. */
let tmp: string;
let allowlist: string[];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'umcp-policy-'));
  const appdata = join(tmp, 'appdata');
  await mkdir(join(appdata, 'app', 'config'), { recursive: true });
  await symlink('/', join(appdata, 'root'));
  await symlink('/etc', join(appdata, 'etc-link'));
  await symlink('/var/run/docker.sock', join(appdata, 'sock'));
  await symlink('b', join(appdata, 'a'));
  await symlink('/boot', join(appdata, 'b'));
  await symlink('../..', join(appdata, 'up'));
  await symlink('app/config', join(appdata, 'cfg'));
  await symlink('loop2', join(appdata, 'loop1'));
  await symlink('loop1', join(appdata, 'loop2'));
  allowlist = [`${appdata}/*`, ...DEFAULT_BIND_ALLOWLIST];
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const hidden = new Set(['secret-db', 'pol-hidden']);
async function verdict(extra: Record<string, unknown>) {
  const req = containerRequestSchema.parse({ name: 'pol-test', image: 'busybox:latest', ...extra });
  const realpaths = await resolveHostPaths(pathsToResolve(req, allowlist));
  return checkCreatePolicy(req, { allowlist, realpaths, visible: (n) => !hidden.has(n) });
}
const bind = (host: string) => ({ binds: [{ host, container: '/data' }] });
const A = () => join(tmp, 'appdata');

describe('refused options (SECURITY.md: refuse before Docker sees it)', () => {
  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    [
      'privileged',
      () => ({ privileged: true }),
      'privileged: true is refused — a privileged container has every capability',
    ],
    [
      'the Docker socket',
      () => bind('/var/run/docker.sock'),
      'binds[0].host: "/var/run/docker.sock" is the Docker socket — containers with it control the whole server',
    ],
    ['the Docker socket under /run', () => bind('/run/docker.sock'), 'is the Docker socket'],
    ["Docker's runtime folder", () => bind('/var/run/docker'), "is Docker's runtime folder"],
    ['the containerd socket', () => bind('/run/containerd/containerd.sock'), 'is the containerd socket'],
    ["Docker's data", () => bind('/var/lib/docker'), "Docker's data"],
    [
      'the libvirt socket',
      () => bind('/var/run/libvirt'),
      'is the libvirt socket — containers with it control every VM',
    ],
    ['/', () => bind('/'), `"/" is the server's whole root filesystem`],
    ['/boot', () => bind('/boot'), 'is the Unraid flash drive'],
    ['/boot/config', () => bind('/boot/config/plugins'), 'is the Unraid flash drive'],
    ['/dev', () => bind('/dev'), "is the server's devices"],
    ['/etc', () => bind('/etc'), "is the server's system configuration"],
    ['/lib', () => bind('/lib'), "is the server's system libraries"],
    ['/proc', () => bind('/proc'), "is the kernel's process interface"],
    ['/sys', () => bind('/sys'), "is the kernel's device and settings interface"],
    ['/usr', () => bind('/usr/local/emhttp'), "is the server's system programs"],
    ['/root', () => bind('/root/.ssh'), "is root's home folder"],
    [
      '/var (contains the socket)',
      () => bind('/var'),
      '"/var" is a folder that contains the Docker socket (/var/run/docker.sock)',
    ],
    ['/run (contains the socket)', () => bind('/run'), 'contains the Docker socket (/run/docker.sock)'],
    ['whole /mnt', () => bind('/mnt'), 'the folder that holds every disk, pool and share'],
    ['whole /mnt/user', () => bind('/mnt/user'), 'is the whole user-share tree (/mnt/user)'],
    ['whole /mnt/user0', () => bind('/mnt/user0'), 'is the whole user-share tree (/mnt/user0)'],
    ['a whole disk', () => bind('/mnt/disk1'), 'is a whole array disk (/mnt/disk1)'],
    ['a whole pool', () => bind('/mnt/cache'), 'is a whole pool or mount root (/mnt/cache)'],
    [
      'the system share',
      () => bind('/mnt/user/system/docker'),
      'is the system share — it holds docker.img and libvirt.img',
    ],
    ['the system share on a pool', () => bind('/mnt/cache/system'), 'is the system share'],
    ["unraid-mcp's audit log", () => bind('/mnt/user/appdata/unraid-mcp/audit'), "is unraid-mcp's own data"],
    ['all of appdata', () => bind('/mnt/user/appdata'), "a folder that contains unraid-mcp's own data"],
    ['a whole named share', () => bind('/mnt/user/media'), '"/mnt/user/media" is a whole user share'],
    [
      'a folder outside the allowlist',
      () => bind('/srv/data'),
      '"/srv/data" is outside the folders containers may use',
    ],
    ['/tmp', () => bind('/tmp'), 'is outside the folders containers may use'],
    // Obfuscated forms.
    [
      '".." back to the socket',
      () => bind('/run/../var/run/docker.sock'),
      'binds[0].host: "/run/../var/run/docker.sock" resolves to the Docker socket — containers with it control the whole server (and it contains a ".." segment',
    ],
    [
      '".." inside an allowed folder',
      () => bind('/mnt/user/appdata/app/../../../../etc'),
      '"/mnt/user/appdata/app/../../../../etc" resolves to the server\'s system configuration',
    ],
    ['a harmless-looking ".."', () => bind('/mnt/user/appdata/a/../b'), 'contains a ".." segment'],
    ['a trailing slash', () => bind('/boot/'), 'binds[0].host: "/boot/" resolves to the Unraid flash drive'],
    ['repeated slashes', () => bind('//etc//'), '"//etc//" resolves to the server\'s system configuration'],
    ['a "." segment', () => bind('/./proc/.'), "resolves to the kernel's process interface"],
    [
      '%2e%2e',
      () => bind('/mnt/user/appdata/%2e%2e/%2e%2e/%2e%2e/etc'),
      'binds[0].host: "/mnt/user/appdata/%2e%2e/%2e%2e/%2e%2e/etc" resolves to the server\'s system configuration (and it contains percent-encoding',
    ],
    ['%2f', () => bind('/mnt/user/appdata/x%2f..%2f..'), 'contains percent-encoding (such as %2e or %2f)'],
    ['a backslash', () => bind('/mnt/user/appdata/x\\..\\..'), 'contains a backslash'],
    ['a symlink to /', () => bind(`${A()}/root`), `resolves to the server's whole root filesystem ("/")`],
    [
      'a path through a symlink to /',
      () => bind(`${A()}/root/etc/shadow`),
      `resolves to the server's system configuration ("/etc/shadow")`,
    ],
    [
      'a symlink to /etc',
      () => bind(`${A()}/etc-link`),
      `resolves to the server's system configuration ("/etc")`,
    ],
    ['a symlink to the socket', () => bind(`${A()}/sock`), 'resolves to the Docker socket'],
    [
      'a chain of symlinks to /boot',
      () => bind(`${A()}/a/config`),
      'resolves to the Unraid flash drive ("/boot/config")',
    ],
    [
      'a relative symlink out of the allowlist',
      () => bind(`${A()}/up`),
      'is outside the folders containers may use (it resolves to',
    ],
    ['a symlink loop', () => bind(`${A()}/loop1`), 'goes through too many symbolic links'],
    // Namespaces and network.
    [
      'network host',
      () => ({ network: 'host' }),
      'network: "host" is refused — the container would share the server\'s network stack',
    ],
    ['network HOST', () => ({ network: 'HOST' }), 'network: "host" is refused'],
    [
      "another container's network",
      () => ({ network: 'container:db' }),
      "joining another container's network namespace",
    ],
    [
      'pid host',
      () => ({ pid_mode: 'host' }),
      'pid_mode: "host" is refused — the container would see and signal every process',
    ],
    ['ipc host', () => ({ ipc_mode: 'host' }), 'ipc_mode: "host" is refused'],
    ['uts host', () => ({ uts_mode: 'host' }), 'uts_mode: "host" is refused'],
    ['userns host', () => ({ userns_mode: 'host' }), 'userns_mode: "host" is refused'],
    ['cgroupns host', () => ({ cgroupns_mode: 'host' }), 'cgroupns_mode: "host" is refused'],
    // Capabilities.
    [
      'cap_add ALL',
      () => ({ cap_add: ['ALL'] }),
      'cap_add[0]: "ALL" is refused — it is beyond Docker\'s default set and lets the container have every capability',
    ],
    ['cap_add SYS_ADMIN', () => ({ cap_add: ['CHOWN', 'SYS_ADMIN'] }), 'cap_add[1]: "SYS_ADMIN" is refused'],
    ['cap_add cap_sys_admin', () => ({ cap_add: ['cap_sys_admin'] }), '"cap_sys_admin" is refused'],
    ['cap_add NET_ADMIN', () => ({ cap_add: ['NET_ADMIN'] }), "reconfigure the server's network"],
    ['cap_add SYS_PTRACE', () => ({ cap_add: ['SYS_PTRACE'] }), 'trace and inject code'],
    ['cap_add SYS_MODULE', () => ({ cap_add: ['SYS_MODULE'] }), 'load kernel modules'],
    ['cap_add DAC_READ_SEARCH', () => ({ cap_add: ['DAC_READ_SEARCH'] }), 'read any file by handle'],
    ['cap_add SYS_RAWIO', () => ({ cap_add: ['SYS_RAWIO'] }), 'raw access to disks'],
    // Security options.
    [
      'seccomp=unconfined',
      () => ({ security_opt: ['seccomp=unconfined'] }),
      'security_opt[0]: "seccomp=unconfined" is refused — it turns off the system-call filter',
    ],
    [
      'seccomp:unconfined',
      () => ({ security_opt: ['seccomp:unconfined'] }),
      '"seccomp:unconfined" is refused',
    ],
    [
      'a custom seccomp profile',
      () => ({ security_opt: ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'] }),
      'custom seccomp profiles are not accepted',
    ],
    [
      'apparmor=unconfined',
      () => ({ security_opt: ['apparmor=unconfined'] }),
      'turns off the AppArmor profile',
    ],
    [
      'apparmor:unconfined',
      () => ({ security_opt: ['apparmor:unconfined'] }),
      'turns off the AppArmor profile',
    ],
    ['label=disable', () => ({ security_opt: ['label=disable'] }), 'turns off SELinux separation'],
    ['label:disable', () => ({ security_opt: ['label:disable'] }), 'turns off SELinux separation'],
    [
      'label=type:spc_t',
      () => ({ security_opt: ['label=type:spc_t'] }),
      'SELinux label options are not accepted',
    ],
    [
      'systempaths=unconfined',
      () => ({ security_opt: ['systempaths=unconfined'] }),
      "unmasks the kernel's /proc and /sys paths",
    ],
    // Devices and names (volumes and volumes_from: volume-mounts.test.ts).
    [
      '/dev/mem',
      () => ({ devices: [{ host: '/dev/mem' }] }),
      'devices[0].host: "/dev/mem" is refused — it gives raw access to the server\'s memory',
    ],
    ['a "device" outside /dev', () => ({ devices: [{ host: '/etc/passwd' }] }), 'is not a device under /dev'],
    ['all of /dev as a device', () => ({ devices: [{ host: '/dev' }] }), 'is not a device under /dev'],
    [
      'a device with ".."',
      () => ({ devices: [{ host: '/dev/../etc/shadow' }] }),
      'is not a plain device path',
    ],
    [
      'a hidden container name',
      () => ({ name: 'pol-hidden' }),
      'name: containers named "pol-hidden" are hidden from MCP',
    ],
  ];

  it.each(cases)('%s', async (_what, extra, message) => {
    const v = await verdict(extra());
    expect(v.refusals.join('\n')).toContain(message);
  });

  it('reports every problem at once, not only the first', async () => {
    const v = await verdict({ privileged: true, network: 'host', cap_add: ['SYS_ADMIN'], ...bind('/') });
    expect(v.refusals).toHaveLength(4);
  });
});

describe('options that need attention (shown to the approver)', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a device', { devices: [{ host: '/dev/dri' }] }, 'device /dev/dri → /dev/dri (rwm)'],
    [
      'a disk device',
      { devices: [{ host: '/dev/sdb', permissions: 'r' }] },
      'a disk: the container could read and overwrite everything on it',
    ],
    ['all GPUs', { gpus: 'all' }, 'all GPUs'],
    ['some GPUs', { gpus: { device_ids: ['0', '1'] } }, 'GPUs: ids 0, 1'],
    [
      'a host port',
      { ports: [{ container_port: 80, host_port: 8080 }] },
      'host port 0.0.0.0:8080/tcp → container port 80',
    ],
    [
      'a host port on one address',
      { ports: [{ container_port: 53, protocol: 'udp', host_port: 53, host_ip: '192.168.1.5' }] },
      'host port 192.168.1.5:53/udp',
    ],
    [
      'an unsafe sysctl',
      { sysctls: { 'kernel.shmmax': '1000' } },
      'sysctl kernel.shmmax=1000 (not a network setting',
    ],
    [
      'no-new-privileges off',
      { security_opt: ['no-new-privileges:false'] },
      'no-new-privileges is turned off',
    ],
  ])('%s', async (_what, extra, note) => {
    const v = await verdict(extra);
    expect(v.refusals).toEqual([]);
    expect(v.attention.join('\n')).toContain(note);
  });

  it('network sysctls, default capabilities and exposed-only ports need nothing', async () => {
    const v = await verdict({
      sysctls: { 'net.ipv4.ip_forward': '1', 'net/core/somaxconn': '1024' },
      cap_add: ['chown', 'CAP_NET_BIND_SERVICE'],
      cap_drop: ['ALL'],
      ports: [{ container_port: 80 }],
    });
    expect(v).toMatchObject({
      refusals: [],
      invalid: [],
      attention: [],
      capAdd: ['CHOWN', 'NET_BIND_SERVICE'],
      capDrop: ['ALL'],
    });
  });
});

describe('accepted binds and defaults', () => {
  it('accepts folders inside the allowlist and passes the resolved path on', async () => {
    const v = await verdict({
      binds: [
        { host: `${A()}/app/config/`, container: '/config' },
        { host: `${A()}/cfg`, container: '/cfg2', read_only: true },
        { host: '/mnt/user/appdata/plex', container: '/plex' },
        { host: '/mnt/user/media/movies', container: '/movies', read_only: true },
      ],
    });
    expect(v.refusals).toEqual([]);
    expect(v.binds.map((b) => b.resolved)).toEqual([
      `${A()}/app/config`,
      `${A()}/app/config`,
      '/mnt/user/appdata/plex',
      '/mnt/user/media/movies',
    ]);
  });

  it('adds no-new-privileges, an init process and memory and process limits when none are given', async () => {
    const v = await verdict({});
    expect(v).toMatchObject({
      memoryBytes: DEFAULT_MEMORY_BYTES,
      pidsLimit: DEFAULT_PIDS_LIMIT,
      securityOpt: ['no-new-privileges:true'],
    });
    expect(v.defaults).toEqual([
      'no-new-privileges',
      'an init process as PID 1',
      'memory limit 1 GiB',
      'process limit 512',
    ]);
  });

  it('keeps limits that are given, and lets init be turned off for s6-overlay images', async () => {
    const v = await verdict({
      memory: '512m',
      pids_limit: 100,
      init: false,
      security_opt: ['apparmor=docker-default'],
    });
    expect(v).toMatchObject({
      memoryBytes: 512 * 1024 ** 2,
      pidsLimit: 100,
      securityOpt: ['no-new-privileges:true', 'apparmor=docker-default'],
    });
    expect(v.defaults).toEqual(['no-new-privileges']);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ memory: 'lots' }, 'memory: "lots" is not a size'],
    [{ memory: '1m' }, "below Docker's minimum of 6 MiB"],
    [{ env: ['NOEQUALS'] }, 'env[0]: expected "KEY=value"'],
    [{ ports: [{ container_port: 80, host_ip: '1.2.3.4' }] }, 'ports[0].host_ip needs ports[0].host_port'],
    [{ ports: [{ container_port: 80, host_port: 80, host_ip: 'example.com' }] }, 'is not an IP address'],
    [{ ip_address: '10.0.0.5', network: 'bridge' }, 'ip_address needs a user-defined network'],
    [{ cap_add: ['MAKE_COFFEE'] }, 'cap_add[0]: "MAKE_COFFEE" is not a Linux capability'],
    [{ binds: [{ host: 'relative/path', container: '/x' }] }, 'is not an absolute path'],
    [
      { binds: [{ host: '/mnt/user/appdata/x', container: 'rel' }] },
      'must be an absolute path inside the container',
    ],
    [
      { binds: [{ host: '/mnt/user/appdata/x', container: '/' }] },
      "cannot replace the container's root folder",
    ],
    [{ binds: [{ host: '/mnt/user/appdata/a:b', container: '/x' }] }, 'contains ":"'],
    [
      { restart: 'always', restart_max_retries: 3 },
      'restart_max_retries only applies with restart "on-failure"',
    ],
  ])('reports malformed options as invalid: %j', async (extra, message) => {
    const v = await verdict(extra);
    expect(v.refusals).toEqual([]);
    expect(v.invalid.join('\n')).toContain(message);
  });
});

describe('allowlist and path resolution', () => {
  it('matches "*" against one segment and allows what lies below a match', () => {
    expect(allowlistMatch('/mnt/user/appdata/plex', DEFAULT_BIND_ALLOWLIST)).toBe('/mnt/user/appdata/*');
    expect(allowlistMatch('/mnt/user/appdata/plex/config/x', DEFAULT_BIND_ALLOWLIST)).toBe(
      '/mnt/user/appdata/*',
    );
    expect(allowlistMatch('/mnt/user/appdata', DEFAULT_BIND_ALLOWLIST)).toBeNull();
    expect(allowlistMatch('/mnt/user', DEFAULT_BIND_ALLOWLIST)).toBeNull();
    expect(allowlistMatch('/mnt/disk1/appdata/x', DEFAULT_BIND_ALLOWLIST)).toBeNull();
  });

  it('checks allowlist entries', () => {
    expect(allowlistEntryProblem('/mnt/cache/appdata/*')).toBeNull();
    expect(allowlistEntryProblem('mnt/user')).toContain('is not an absolute path');
    expect(allowlistEntryProblem('/mnt/user/../..')).toContain('".." segment');
    expect(allowlistEntryProblem('//')).toContain('would allow every folder');
  });

  it('an entry under a symlinked folder still matches the resolved bind path', async () => {
    const link = join(tmp, 'linked-appdata');
    await symlink(join(tmp, 'appdata'), link);
    const list = [`${link}/*`];
    const req = containerRequestSchema.parse({
      name: 'pol-test',
      image: 'busybox',
      binds: [{ host: `${link}/app`, container: '/app' }],
    });
    const v = checkCreatePolicy(req, {
      allowlist: list,
      realpaths: await resolveHostPaths(pathsToResolve(req, list)),
    });
    expect(v.refusals).toEqual([]);
    expect(v.binds[0]?.resolved).toBe(join(tmp, 'appdata', 'app'));
  });

  it('resolves like realpath -m: existing links followed, the missing rest kept', async () => {
    expect(await resolveHostPath(`${A()}/root/etc/not-there/x`)).toEqual({
      ok: true,
      path: '/etc/not-there/x',
    });
    expect(await resolveHostPath(`${A()}/cfg/new`)).toEqual({ ok: true, path: `${A()}/app/config/new` });
    expect(await resolveHostPath(`${A()}/up`)).toEqual({ ok: true, path: tmpdir() });
  });
});
