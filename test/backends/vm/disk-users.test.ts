import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibvirtClient } from '../../../server/backends/vm/libvirt-client.js';
import { diskFiles, vmsUsingImages } from '../../../server/backends/vm/disk-users.js';
import { imageIdentity } from '../../../server/backends/vm/image-identity.js';

/**
 * Which VMs use a disk image, read from every domain of libvirt's test driver (a node written here,
 * whose disks are real files), compared by what the paths really name.
 */
let root = '';
let client: LibvirtClient;
const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';

const disk = (file: string, target: string, device = 'disk') =>
  `<disk type="file" device="${device}"><source file="${file}"/><target dev="${target}"/></disk>`;
const domain = (name: string, uuid: string, runstate: number, devices: string) =>
  `<domain type="test" xmlns:test="http://libvirt.org/schemas/domain/test/1.0"><name>${name}</name>` +
  `<uuid>${uuid}</uuid><memory>524288</memory><vcpu>1</vcpu><os><type>hvm</type></os>` +
  `<devices>${devices}</devices><test:runstate>${runstate}</test:runstate></domain>`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'umcp-disk-users-'));
  await mkdir(join(root, 'a'));
  await writeFile(join(root, 'a', 'disk.img'), 'a');
  await writeFile(join(root, 'b.iso'), 'b');
  await symlink(join(root, 'a'), join(root, 'link-to-a'));
  await link(join(root, 'a', 'disk.img'), join(root, 'hard.img'));
  const node = join(root, 'node.xml');
  await writeFile(
    node,
    `<node><cpu><mhz>1000</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets><cores>1</cores>` +
      `<threads>1</threads><active>1</active></cpu><memory>4194304</memory>` +
      domain(
        'Running A',
        A,
        1,
        disk(join(root, 'a', 'disk.img'), 'vda') + disk(join(root, 'missing.img'), 'vdb'),
      ) +
      domain('Off B', B, 5, disk(join(root, 'b.iso'), 'hdc', 'cdrom')) +
      `</node>`,
  );
  client = new LibvirtClient({ uri: `test://${node}` });
});
afterAll(async () => {
  await client?.close();
  await rm(root, { recursive: true, force: true });
});

describe('diskFiles', () => {
  it('lists every disk source that is a host path, with the backing files beneath it', async () => {
    const xml = `<domain><devices>
      <disk type="file" device="disk"><source file="/d/top.qcow2"/>
        <backingStore type="file"><source file="/d/base.qcow2"/>
          <backingStore type="block"><source dev="/dev/sdz"/></backingStore></backingStore></disk>
      <disk type="file" device="cdrom"><source file="/isos/x.iso"/></disk>
      <disk type="network" device="disk"><source protocol="rbd" name="pool/image"/></disk>
      <disk type="volume" device="disk"><source pool="p" volume="v"/></disk>
      <disk type="file" device="cdrom"/>
    </devices></domain>`;
    expect(await diskFiles(xml)).toEqual(['/d/top.qcow2', '/d/base.qcow2', '/dev/sdz', '/isos/x.iso']);
  });
});

describe('imageIdentity', () => {
  it('is the same for a file, a link to its folder, a hard link and a `..` after a link', async () => {
    const file = await imageIdentity(join(root, 'a', 'disk.img'));
    expect(file).toMatch(/^inode:/);
    for (const other of ['link-to-a/disk.img', 'hard.img', 'link-to-a/../a/disk.img'])
      expect(await imageIdentity(join(root, other)), other).toBe(file);
    expect(await imageIdentity(join(root, 'b.iso'))).not.toBe(file);
  });

  it('falls back to the resolved path for a file that does not exist', async () => {
    expect(await imageIdentity(join(root, 'link-to-a', 'nope.img'))).toBe(
      `path:${join(root, 'a', 'nope.img')}`,
    );
  });
});

describe('vmsUsingImages', () => {
  it('finds the VMs using each image however it is spelled, running or not, CD-ROMs included', async () => {
    const asked = [
      join(root, 'link-to-a', 'disk.img'),
      join(root, 'hard.img'),
      join(root, 'missing.img'),
      join(root, 'b.iso'),
      join(root, 'unused.img'),
    ];
    const users = await vmsUsingImages(client, asked);
    expect(
      Object.fromEntries([...users].map(([p, u]) => [p.slice(root.length), u.map((x) => x.name)])),
    ).toEqual({
      '/link-to-a/disk.img': ['Running A'],
      '/hard.img': ['Running A'],
      '/missing.img': ['Running A'],
      '/b.iso': ['Off B'],
      '/unused.img': [],
    });
    expect(users.get(join(root, 'b.iso'))).toEqual([{ name: 'Off B', uuid: B }]);
  });

  it('leaves out the VM asked about', async () => {
    const users = await vmsUsingImages(client, [join(root, 'a', 'disk.img')], A);
    expect(users.get(join(root, 'a', 'disk.img'))).toEqual([]);
  });
});
