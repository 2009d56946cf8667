import { buildXml } from './domain-xml.js';
import type { DiskFormat } from './disk-image.js';

export const DISK_BUSES = ['virtio', 'sata', 'scsi', 'ide'] as const;
export type DiskBus = (typeof DISK_BUSES)[number];

/** A VM to define, every path already resolved and checked. */
export interface NewDomain {
  /** kvm (hardware virtualisation), qemu (emulated, no /dev/kvm needed) or test (libvirt's test driver). */
  type: 'kvm' | 'qemu' | 'test';
  name: string;
  description?: string;
  memoryBytes: number;
  vcpus: number;
  machine: string;
  disks: ReadonlyArray<{ path: string; format: DiskFormat; bus: DiskBus }>;
  iso?: string;
  /** Host bridge for one virtio NIC; null for a VM without network. */
  bridge: string | null;
  graphics: boolean;
}

const PREFIX: Readonly<Record<DiskBus, string>> = { virtio: 'vd', sata: 'sd', scsi: 'sd', ide: 'hd' };

/** i440fx machines ("pc", "pc-i440fx-7.2") have IDE; q35 has SATA — a CD-ROM must use what exists. */
const cdromBus = (machine: string): DiskBus =>
  machine === 'pc' || machine.startsWith('pc-i440fx') ? 'ide' : 'sata';

/**
 * The libvirt domain XML for a new VM, built as a tree and serialised by the XML library, so names,
 * descriptions and paths are escaped whatever they contain — never pasted into a template.
 */
export function newDomainXml(d: NewDomain): Promise<string> {
  const used: Record<string, number> = {};
  const nextTarget = (bus: DiskBus) => {
    const prefix = PREFIX[bus];
    const n = used[prefix] ?? 0;
    used[prefix] = n + 1;
    return `${prefix}${String.fromCharCode(97 + n)}`;
  };
  const kib = Math.ceil(d.memoryBytes / 1024);
  const disk: Array<Record<string, unknown>> = d.disks.map((x) => ({
    '@_type': 'file',
    '@_device': 'disk',
    driver: { '@_name': 'qemu', '@_type': x.format, '@_cache': 'writeback' },
    source: { '@_file': x.path },
    target: { '@_dev': nextTarget(x.bus), '@_bus': x.bus },
  }));
  if (d.iso) {
    const bus = cdromBus(d.machine);
    disk.push({
      '@_type': 'file',
      '@_device': 'cdrom',
      driver: { '@_name': 'qemu', '@_type': 'raw' },
      source: { '@_file': d.iso },
      target: { '@_dev': nextTarget(bus), '@_bus': bus },
      readonly: '',
    });
  }
  const devices: Record<string, unknown> = { disk };
  if (d.bridge)
    devices['interface'] = {
      '@_type': 'bridge',
      source: { '@_bridge': d.bridge },
      model: { '@_type': 'virtio' },
    };
  if (d.graphics) {
    devices['input'] = { '@_type': 'tablet', '@_bus': 'usb' };
    devices['graphics'] = { '@_type': 'vnc', '@_port': '-1', '@_autoport': 'yes', '@_listen': '0.0.0.0' };
    devices['video'] = { model: { '@_type': 'virtio' } };
  }
  devices['memballoon'] = { '@_model': 'virtio' };
  return buildXml({
    domain: {
      '@_type': d.type,
      name: d.name,
      ...(d.description ? { description: d.description } : {}),
      memory: { '@_unit': 'KiB', '#text': String(kib) },
      currentMemory: { '@_unit': 'KiB', '#text': String(kib) },
      vcpu: { '@_placement': 'static', '#text': String(d.vcpus) },
      os: {
        type: { '@_arch': 'x86_64', '@_machine': d.machine, '#text': 'hvm' },
        boot: [{ '@_dev': 'hd' }, { '@_dev': 'cdrom' }],
      },
      features: { acpi: '', apic: '' },
      clock: { '@_offset': 'utc' },
      on_poweroff: 'destroy',
      on_reboot: 'restart',
      on_crash: 'restart',
      devices,
    },
  });
}
