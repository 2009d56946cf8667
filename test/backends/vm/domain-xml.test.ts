import { describe, expect, it } from 'vitest';
import { redactDomainXml, REDACTED } from '../../../server/backends/vm/redact-domain-xml.js';
import { domainDetails } from '../../../server/backends/vm/domain-details.js';
import { newDomainXml } from '../../../server/backends/vm/new-domain.js';
import { parseDomainXml, memoryBytes } from '../../../server/backends/vm/domain-xml.js';

describe('redactDomainXml', () => {
  it('replaces every password attribute, however it is quoted or escaped, and keeps the rest as it was', async () => {
    const xml = `<domain type='kvm'><name>a &amp; b</name><!-- keep me --><devices>
      <graphics type='vnc' port='5900' passwd='s3cr&amp;t&apos;1'/>
      <graphics type="spice" autoport="yes" passwd="other&quot;secret"><listen type="address"/></graphics>
      <disk><auth username='u'><secret type='ceph' usage='x'/></auth><source password="pw2"/></disk>
    </devices></domain>`;
    const out = await redactDomainXml(xml);
    for (const secret of ['s3cr', 'other', 'pw2']) expect(out).not.toContain(secret);
    expect(out.split(`="${REDACTED}"`)).toHaveLength(4);
    expect(out).toContain('<!-- keep me -->');
    expect(out).toContain('<name>a &amp; b</name>');
    expect(out).toContain('port="5900"');
    expect(out).toContain('<secret type="ceph" usage="x"/>');
    expect(await parseDomainXml(out)).toHaveProperty('domain');
  });
});

describe('domainDetails', () => {
  it('reads memory in any libvirt unit, and KiB when none is given', async () => {
    const mem = async (el: string) =>
      memoryBytes((await parseDomainXml(`<domain>${el}</domain>`))['domain'], 'memory');
    expect(await mem('<memory>1024</memory>')).toBe(1024 * 1024);
    expect(await mem("<memory unit='GiB'>2</memory>")).toBe(2 * 1024 ** 3);
    expect(await mem("<memory unit='MB'>5</memory>")).toBe(5_000_000);
    expect(await mem("<memory unit='bytes'>4096</memory>")).toBe(4096);
    expect(await mem("<memory unit='parsecs'>1</memory>")).toBeNull();
  });

  it('keeps MAC addresses and UUID-like text as strings and copes with a domain without devices', async () => {
    const d = await domainDetails(
      `<domain type='kvm'><name>x</name><vcpu>2</vcpu><devices><interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface></devices></domain>`,
    );
    expect(d.nics).toEqual([{ mac: '52:54:00:00:00:01', type: 'network', source: 'default', model: null }]);
    expect(await domainDetails(`<domain type='kvm'><name>y</name></domain>`)).toMatchObject({
      disks: [],
      nics: [],
      graphics: [],
      vcpus: { count: 0, pinning: [] },
    });
  });
});

describe('newDomainXml', () => {
  it('escapes whatever the name, description and paths hold, and reads back exactly', async () => {
    const name = `Evil </name><name>x & 'y' "z"`;
    const xml = await newDomainXml({
      type: 'qemu',
      name,
      description: ']]> <!-- & -->',
      memoryBytes: 64 * 1024 ** 2,
      vcpus: 1,
      machine: 'q35',
      disks: [{ path: '/mnt/user/domains/a\'b"c/vdisk1.img', format: 'raw', bus: 'virtio' }],
      bridge: null,
      graphics: false,
    });
    const details = await domainDetails(xml);
    expect(await parseDomainXml(xml)).toMatchObject({ domain: { name } });
    expect(details.description).toBe(']]> <!-- & -->');
    expect(details.disks[0]?.source).toBe('/mnt/user/domains/a\'b"c/vdisk1.img');
    expect(details.nics).toEqual([]);
    expect(details.graphics).toEqual([]);
  });

  it('names guest devices per bus and gives the CD-ROM the bus the machine type has', async () => {
    const disks = [
      { path: '/d/1.img', format: 'qcow2' as const, bus: 'virtio' as const },
      { path: '/d/2.img', format: 'raw' as const, bus: 'virtio' as const },
      { path: '/d/3.img', format: 'raw' as const, bus: 'sata' as const },
    ];
    const q35 = await domainDetails(
      await newDomainXml({
        type: 'kvm',
        name: 'a',
        memoryBytes: 1 << 30,
        vcpus: 2,
        machine: 'q35',
        disks,
        iso: '/i/x.iso',
        bridge: 'br0',
        graphics: true,
      }),
    );
    expect(q35.disks.map((d) => `${d.target}/${d.bus}/${d.device}`)).toEqual([
      'vda/virtio/disk',
      'vdb/virtio/disk',
      'sda/sata/disk',
      'sdb/sata/cdrom',
    ]);
    const pc = await domainDetails(
      await newDomainXml({
        type: 'kvm',
        name: 'a',
        memoryBytes: 1 << 30,
        vcpus: 2,
        machine: 'pc-i440fx-7.2',
        disks: [],
        iso: '/i/x.iso',
        bridge: 'br0',
        graphics: true,
      }),
    );
    expect(pc.disks.map((d) => `${d.target}/${d.bus}`)).toEqual(['hda/ide']);
    expect(pc.graphics).toEqual([
      { type: 'vnc', port: null, autoport: true, listen: '0.0.0.0', locked: false },
    ]);
  });
});
