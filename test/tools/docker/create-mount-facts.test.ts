import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type Docker from 'dockerode';
import { testDocker } from '../../helpers/docker.js';
import {
  readVolumeHostSources,
  volumeHostSource,
} from '../../../server/backends/docker/volume-host-source.js';
import { readVolumesFromSources } from '../../../server/backends/docker/inherited-mounts.js';
import { effectiveCommand, readImageCommand } from '../../../server/backends/docker/effective-command.js';

/**
 * The facts docker_create reads before its policy runs, against the suite's real dockerd: what named
 * volumes bring from the host, what volumes_from would copy from a container, and what a new
 * container will run — each compared with what Docker itself reports.
 */
const P = 'cmf-';
const td = testDocker();
const docker = td.docker;
const signal = new AbortController().signal;
const volumes: string[] = [];
const images: string[] = [];

async function volume(name: string, opts: Record<string, string> = {}): Promise<string> {
  await docker.createVolume({ Name: `${P}${name}`, Driver: 'local', DriverOpts: opts });
  volumes.push(`${P}${name}`);
  return `${P}${name}`;
}

/** A container that is created but never started: Docker records its mounts without mounting them. */
async function holder(name: string, hostConfig: Docker.HostConfig): Promise<string> {
  const c = await docker.createContainer({
    name: `${P}${name}`,
    Image: inject('testImage'),
    Cmd: ['sleep', '3600'],
    HostConfig: { NetworkMode: 'none', ...hostConfig },
  });
  return c.id;
}

afterAll(async () => {
  const mine = await docker.listContainers({ all: true, filters: { name: [P] } });
  await Promise.all(mine.map((c) => docker.getContainer(c.Id).remove({ force: true, v: false })));
  await Promise.all(
    volumes.map((v) =>
      docker
        .getVolume(v)
        .remove()
        .catch(() => {}),
    ),
  );
  await Promise.all(
    images.map((i) =>
      docker
        .getImage(i)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  await td.cleanup();
});

describe('what a named volume brings from the host (as Docker stores its options)', () => {
  it.each<[string, Record<string, string>, ReturnType<typeof volumeHostSource>]>([
    ['plain', {}, null],
    ['bind-root', { type: 'none', o: 'bind', device: '/' }, { kind: 'path', path: '/' }],
    ['rbind', { type: 'none', o: 'rbind,ro', device: '/boot' }, { kind: 'path', path: '/boot' }],
    ['bind-any-type', { type: 'ext4', o: 'bind', device: '/etc' }, { kind: 'path', path: '/etc' }],
    ['relative', { type: 'none', o: 'bind', device: 'relative/dir' }, { kind: 'path', path: 'relative/dir' }],
    [
      'type-none',
      { type: 'none', device: '/var/run/docker.sock' },
      { kind: 'path', path: '/var/run/docker.sock' },
    ],
    ['tmpfs', { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' }, null],
    [
      'nfs',
      { type: 'nfs', device: ':/export', o: 'addr=127.0.0.1' },
      { kind: 'unchecked', what: 'a "nfs" file system from ":/export"' },
    ],
    [
      'overlay',
      { type: 'overlay', device: 'overlay', o: 'lowerdir=/,upperdir=/tmp/u,workdir=/tmp/w' },
      { kind: 'unchecked', what: 'a "overlay" file system from "overlay"' },
    ],
    [
      'disk',
      { type: 'ext4', device: '/dev/sda1' },
      { kind: 'unchecked', what: 'a "ext4" file system from "/dev/sda1"' },
    ],
  ])('%s', async (name, opts, expected) => {
    const full = await volume(name, opts);
    const info = await docker.getVolume(full).inspect();
    expect(volumeHostSource(info)).toEqual(expected);
    const read = await readVolumeHostSources(docker, [full], signal);
    expect(read.get(full) ?? null).toEqual(expected);
  });

  it('reads a volume plugin by the host folder it reports, and leaves out volumes that do not exist', async () => {
    expect(volumeHostSource({ Driver: 'local-persist', Mountpoint: '/boot/x', Options: null })).toEqual({
      kind: 'path',
      path: '/boot/x',
    });
    expect(volumeHostSource({ Driver: 'weird', Mountpoint: '', Options: null })).toEqual({
      kind: 'unchecked',
      what: 'a volume of the "weird" plugin that reports no host folder',
    });
    expect((await readVolumeHostSources(docker, [`${P}never-created`], signal)).size).toBe(0);
  });
});

describe('what volumes_from copies from a container', () => {
  let sourceId: string;
  let rootbind: string;
  beforeAll(async () => {
    rootbind = await volume('vf-root', { type: 'none', o: 'bind', device: '/' });
    const plain = await volume('vf-plain');
    sourceId = await holder('source', {
      Binds: ['/var/run/docker.sock:/var/run/docker.sock:ro', `${rootbind}:/host`, `${plain}:/data`],
      Tmpfs: { '/scratch': '' },
    });
    await holder('chained', { VolumesFrom: [`${P}source:ro`] });
  });

  it('reads binds, bind-type volumes and Docker-kept volumes by name, with the real name and full ID', async () => {
    const read = await readVolumesFromSources(docker, [`${P}source`], signal);
    const src = read.get(`${P}source`);
    expect(src?.id).toBe(sourceId);
    expect(src?.name).toBe(`${P}source`);
    expect(src?.mounts).toEqual(
      expect.arrayContaining([
        { type: 'bind', container: '/var/run/docker.sock', readOnly: true, host: '/var/run/docker.sock' },
        {
          type: 'volume',
          container: '/host',
          readOnly: false,
          volume: { name: rootbind, source: { kind: 'path', path: '/' } },
        },
        {
          type: 'volume',
          container: '/data',
          readOnly: false,
          volume: { name: `${P}vf-plain`, source: null },
        },
      ]),
    );
    expect(src?.mounts).toHaveLength(3);
  });

  it('includes what a container got through its own volumes_from (Docker copies it again)', async () => {
    const src = (await readVolumesFromSources(docker, [`${P}chained`], signal)).get(`${P}chained`);
    expect(src?.mounts.map((m) => [m.container, m.host ?? m.volume?.name, m.readOnly]).sort()).toEqual([
      ['/data', `${P}vf-plain`, true],
      ['/host', rootbind, true],
      ['/var/run/docker.sock', '/var/run/docker.sock', true],
    ]);
  });

  it('resolves an ID prefix like Docker (4 characters at least) and gives null for no such container', async () => {
    const read = await readVolumesFromSources(
      docker,
      [sourceId.slice(0, 12), sourceId.slice(0, 3), `${P}no-such`],
      signal,
    );
    expect(read.get(sourceId.slice(0, 12))?.name).toBe(`${P}source`);
    expect(read.get(sourceId.slice(0, 3))).toBeNull();
    expect(read.get(`${P}no-such`)).toBeNull();
  });
});

describe('what a new container runs (compared with the container Docker creates)', () => {
  let withEntrypoint: string;
  beforeAll(async () => {
    const base = await holder('image-base', {});
    const ref = `umcp-test/${P}entrypoint:1`;
    const [repo, tag] = ref.split(':') as [string, string];
    await docker.getContainer(base).commit({
      repo,
      tag,
      changes: ['ENTRYPOINT ["/bin/echo","from-image"]', 'CMD ["image-arg"]'],
    });
    images.push(ref);
    withEntrypoint = ref;
  });

  const cases: Array<[string, { entrypoint?: string[]; command?: string[] }]> = [
    ['nothing set', {}],
    ['a command', { command: ['sleep', '5'] }],
    ['an entrypoint', { entrypoint: ['/bin/sh', '-c'] }],
    ['both', { entrypoint: ['/bin/sh', '-c'], command: ['true'] }],
    ['an empty entrypoint', { entrypoint: [] }],
    ['an empty entrypoint and a command', { entrypoint: [], command: ['/bin/true'] }],
  ];
  it.each(
    cases.flatMap(([what, req]) => [[what, req, 'cmd-only'] as const, [what, req, 'entrypoint'] as const]),
  )('%s, on an image with %s', async (_what, req, kind) => {
    const image = kind === 'entrypoint' ? withEntrypoint : inject('testImage');
    const c = await docker.createContainer({
      Image: image,
      ...(req.entrypoint ? { Entrypoint: req.entrypoint } : {}),
      ...(req.command ? { Cmd: req.command } : {}),
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      const real = (await c.inspect()).Config;
      const predicted = effectiveCommand(req, (await readImageCommand(docker, image)) ?? {});
      expect(predicted.entrypoint.argv).toEqual(real.Entrypoint ?? []);
      expect(predicted.command.argv).toEqual(real.Cmd ?? []);
    } finally {
      await c.remove({ force: true });
    }
  });

  it('reads the image entrypoint and command, and null for an image that is not there', async () => {
    expect(await readImageCommand(docker, withEntrypoint)).toEqual({
      Entrypoint: ['/bin/echo', 'from-image'],
      Cmd: ['image-arg'],
    });
    expect(await readImageCommand(docker, 'umcp-not-here/nothing:1')).toBeNull();
  });
});
