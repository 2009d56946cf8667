import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerRequestSchema } from '../../../server/tools/docker/shared/container-request.js';
import {
  checkCreatePolicy,
  pathsToResolve,
  type CreatePlan,
} from '../../../server/safety/create-policy/create-policy.js';
import type { MountFacts } from '../../../server/safety/create-policy/volume-mounts.js';
import type { InheritedMount, VolumesFromSource } from '../../../server/backends/docker/inherited-mounts.js';
import type { VolumeHostSource } from '../../../server/backends/docker/volume-host-source.js';
import { resolveHostPaths } from '../../../server/util/resolve-host-path.js';

/**
 * The create policy on named volumes and volumes_from, given the facts the tool reads from Docker
 * beforehand: every host path they bring in is held to the binds' rule, and a volumes_from container
 * that is hidden gets the same answer as one that does not exist.
 */
let tmp: string;
let A: string;
let allowlist: string[];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'umcp-vmounts-'));
  A = join(tmp, 'appdata');
  await mkdir(join(A, 'app'), { recursive: true });
  await symlink('/', join(A, 'root'));
  await symlink('/var/run/docker.sock', join(A, 'sock'));
  allowlist = [`${A}/*`];
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const hidden = new Set(['secret-db']);
const ID = (n: number) => String(n).repeat(64).slice(0, 64);
const bindMount = (host: string, container: string, readOnly = false): InheritedMount => ({
  type: 'bind',
  container,
  readOnly,
  host,
});
const volumeMount = (
  name: string,
  container: string,
  source: VolumeHostSource | null,
  readOnly = false,
): InheritedMount => ({ type: 'volume', container, readOnly, volume: { name, source } });
const source = (id: number, name: string, mounts: InheritedMount[]): VolumesFromSource => ({
  id: ID(id),
  name,
  mounts,
});

/** Facts as the tool would read them: the portainer-style container, a hidden one, a harmless one… */
const facts = (): MountFacts => ({
  volumesFrom: new Map<string, VolumesFromSource | null>([
    ['portainer', source(1, 'portainer', [bindMount('/var/run/docker.sock', '/var/run/docker.sock')])],
    ['secret-db', source(2, 'secret-db', [bindMount(`${A}/db`, '/db')])],
    // An ID prefix that Docker resolves to the hidden container.
    ['2222', source(2, 'secret-db', [bindMount(`${A}/db`, '/db')])],
    ['nope', null],
    [
      'media',
      source(3, 'media', [
        bindMount(`${A}/app`, '/config', true),
        volumeMount('media-cache', '/cache', null),
        { type: 'tmpfs', container: '/run/cache', readOnly: false },
      ]),
    ],
    ['booter', source(4, 'booter', [bindMount('/boot/config', '/flash')])],
    ['linker', source(5, 'linker', [bindMount(`${A}/root`, '/host')])],
    ['sockl', source(6, 'sockl', [bindMount(`${A}/sock`, '/s')])],
    ['rooter', source(7, 'rooter', [volumeMount('rootbind', '/host', { kind: 'path', path: '/' })])],
    [
      'nfsuser',
      source(8, 'nfsuser', [
        volumeMount('nas', '/nas', { kind: 'unchecked', what: 'a "nfs" file system from ":/export"' }),
      ]),
    ],
    ['clustered', source(9, 'clustered', [{ type: 'cluster', container: '/c', readOnly: false }])],
    ['noname', source(10, 'noname', [{ type: 'volume', container: '/v', readOnly: false }])],
  ]),
  volumeSources: new Map<string, VolumeHostSource>([
    ['rootfs', { kind: 'path', path: '/' }],
    ['relative', { kind: 'path', path: 'relative/dir' }],
    ['overlay', { kind: 'unchecked', what: 'a "overlay" file system from "overlay"' }],
    ['appvol', { kind: 'path', path: `${A}/app/vol` }],
  ]),
});

async function verdict(extra: Record<string, unknown>, given: MountFacts = facts()): Promise<CreatePlan> {
  const req = containerRequestSchema.parse({ name: 'pol-test', image: 'busybox:latest', ...extra });
  const realpaths = await resolveHostPaths(pathsToResolve(req, allowlist, given));
  return checkCreatePolicy(req, { allowlist, realpaths, visible: (n) => !hidden.has(n), ...given });
}

describe('volumes_from: every inherited mount is checked like a bind', () => {
  it.each<[string, string[], string]>([
    [
      'the Docker socket',
      ['portainer'],
      'volumes_from[0] (inherited from container "portainer" at /var/run/docker.sock): "/var/run/docker.sock" is the Docker socket — containers with it control the whole server',
    ],
    [
      'the Docker socket, read-only',
      ['portainer:ro'],
      'volumes_from[0] (inherited from container "portainer" at /var/run/docker.sock): "/var/run/docker.sock" is the Docker socket',
    ],
    ['the flash drive', ['media', 'booter'], 'volumes_from[1] (inherited from container "booter" at /flash)'],
    ['a symlink to the socket', ['sockl'], 'resolves to the Docker socket'],
    [
      'a bind-type volume of /',
      ['rooter'],
      `volumes_from[0] (volume "rootbind" inherited from container "rooter" at /host, a bind of a host folder): "/" is the server's whole root filesystem`,
    ],
    [
      'a network-share volume',
      ['nfsuser'],
      'volumes_from[0] (volume "nas" inherited from container "nfsuser" at /nas) mounts a "nfs" file system from ":/export", which unraid-mcp cannot check',
    ],
    [
      'an unknown mount type',
      ['clustered'],
      'volumes_from[0] (inherited from container "clustered" at /c): a mount of type "cluster", which unraid-mcp cannot check',
    ],
    ['a volume without a name', ['noname'], 'a volume Docker reported without a name'],
  ])('refuses %s', async (_what, from, message) => {
    const v = await verdict({ volumes_from: from });
    expect(v.refusals.join('\n')).toContain(message);
    expect(v.inherited.filter((m) => m.from !== 'media')).toEqual([]);
  });

  it('resolves symlinks in an inherited bind as for binds', async () => {
    const v = await verdict({ volumes_from: ['linker'] });
    expect(v.refusals).toEqual([
      `volumes_from[0] (inherited from container "linker" at /host): "${A}/root" resolves to the server's whole root filesystem ("/") — containers with it control the whole server`,
    ]);
  });

  it('gives a hidden container, its ID prefix and a missing one the same answer', async () => {
    const v = await verdict({ volumes_from: ['secret-db', '2222:ro', 'nope'] });
    expect(v.refusals).toEqual(
      [0, 1, 2].map((i) => expect.stringMatching(new RegExp(`^volumes_from\\[${i}\\]`))),
    );
    const shapes = v.refusals.map((r) => r.replace(/^volumes_from\[\d\]: /, '').replace(/"[^"]+"/, '"X"'));
    expect(new Set(shapes)).toEqual(
      new Set(['there is no container named or with ID "X" — use docker_list to see the containers']),
    );
    expect(v.refusals.join('\n')).not.toContain('hidden');
    expect(v.refusals.join('\n')).not.toContain(`${A}/db`);
    expect(v.inherited).toEqual([]);
    expect(v.volumesFrom).toEqual([]);
  });

  it('refuses a volumes_from container whose mounts were not read (no facts: nothing allowed)', async () => {
    const v = await verdict({ volumes_from: ['media'] }, {});
    expect(v.refusals).toEqual([
      'volumes_from[0]: the mounts of container "media" were not read, so they cannot be checked',
    ]);
  });

  it('accepts allowed binds, Docker-kept volumes and tmpfs, pins the container by ID and shows every mount', async () => {
    const v = await verdict({ volumes_from: ['media:ro'] });
    expect(v.refusals).toEqual([]);
    expect(v.volumesFrom).toEqual([`${ID(3)}:ro`]);
    expect(v.inherited).toEqual([
      {
        from: 'media',
        type: 'bind',
        container: '/config',
        readOnly: true,
        host: { path: `${A}/app`, resolved: `${A}/app` },
      },
      {
        from: 'media',
        type: 'volume',
        container: '/cache',
        readOnly: true,
        volume: { name: 'media-cache', host: null },
      },
      { from: 'media', type: 'tmpfs', container: '/run/cache', readOnly: true },
    ]);
    expect(v.attention).toEqual([
      `the mounts of container "media", all read-only: ${A}/app → /config (ro), volume media-cache → /cache (ro), tmpfs → /run/cache (ro)`,
    ]);
  });

  it('keeps a mount read-write only when both the source and the entry allow it', async () => {
    const v = await verdict({ volumes_from: ['media'] });
    expect(v.volumesFrom).toEqual([ID(3)]);
    expect(v.inherited.map((m) => [m.container, m.readOnly])).toEqual([
      ['/config', true],
      ['/cache', false],
      ['/run/cache', false],
    ]);
  });
});

describe('named volumes that bring in a host path', () => {
  it.each<[string, string]>([
    [
      'rootfs',
      `volumes[0] (volume "rootfs", a bind of a host folder): "/" is the server's whole root filesystem — containers with it control the whole server`,
    ],
    [
      'relative',
      'volumes[0] (volume "relative", a bind of a host folder): "relative/dir" is not an absolute path (it must start with "/")',
    ],
    [
      'overlay',
      'volumes[0] (volume "overlay") mounts a "overlay" file system from "overlay", which unraid-mcp cannot check — only volumes Docker keeps itself and binds of allowed host folders may be used',
    ],
  ])('refuses volume %s', async (name, message) => {
    const v = await verdict({ volumes: [{ name, container: '/v' }] });
    expect(v.refusals).toEqual([message]);
  });

  it('accepts a bind-type volume inside the allowlist and a volume Docker keeps itself', async () => {
    const v = await verdict({
      volumes: [
        { name: 'appvol', container: '/a' },
        { name: 'plain-new-volume', container: '/b' },
      ],
    });
    expect(v.refusals).toEqual([]);
    expect(v.invalid).toEqual([]);
  });
});
