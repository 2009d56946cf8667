import { z } from 'zod';
import { attr, child, children, memoryBytes, parseDomainXml, text } from './domain-xml.js';

export const domainDetailsSchema = z.object({
  type: z.string().describe('Hypervisor type: kvm, qemu (emulated), test…'),
  title: z.string().nullable(),
  description: z.string().nullable(),
  machine: z.string().nullable().describe('Machine type, e.g. pc-q35-7.2'),
  arch: z.string().nullable(),
  vcpus: z.object({
    count: z.number().int(),
    placement: z.string().nullable(),
    pinning: z.array(z.object({ vcpu: z.number().int(), cpuset: z.string() })).describe('vCPU → host CPU pinning (empty when not pinned)'),
  }),
  memory: z.object({ maxBytes: z.number().nullable(), currentBytes: z.number().nullable() }),
  disks: z.array(
    z.object({
      device: z.string().describe('disk, cdrom, floppy or lun'),
      target: z.string().nullable().describe('Guest device name, e.g. vda, hdc'),
      bus: z.string().nullable(),
      source: z.string().nullable().describe('Image file, block device or volume on the host'),
      format: z.string().nullable().describe('raw, qcow2…'),
      readonly: z.boolean(),
    }),
  ),
  isos: z.array(z.string()).describe('ISO images attached as CD-ROMs'),
  nics: z.array(z.object({ mac: z.string().nullable(), type: z.string(), source: z.string().nullable().describe('Bridge or network the NIC is attached to'), model: z.string().nullable() })),
  graphics: z.array(z.object({ type: z.string(), port: z.number().int().nullable(), autoport: z.boolean(), listen: z.string().nullable(), locked: z.boolean().describe('True when a password protects the display (the password itself is never shown)') })),
  hostdevCount: z.number().int().describe('Passed-through host devices (GPUs, USB, PCI)'),
});
export type DomainDetails = z.infer<typeof domainDetailsSchema>;

const int = (v: string | undefined): number | null => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : null);

/**
 * What vm_inspect reports, read from the domain XML. Passwords are never copied: only whether one is
 * set (the XML is fetched with them so that can be told).
 */
export async function domainDetails(xml: string): Promise<DomainDetails> {
  const domain = child(await parseDomainXml(xml), 'domain') ?? {};
  const os = child(domain, 'os');
  const osType = child(os, 'type');
  const devices = child(domain, 'devices');
  const vcpu = child(domain, 'vcpu');
  const disks = children(devices, 'disk').map((d) => {
    const source = child(d, 'source');
    return {
      device: attr(d, 'device') ?? 'disk',
      target: attr(child(d, 'target'), 'dev') ?? null,
      bus: attr(child(d, 'target'), 'bus') ?? null,
      source: attr(source, 'file') ?? attr(source, 'dev') ?? attr(source, 'volume') ?? attr(source, 'name') ?? null,
      format: attr(child(d, 'driver'), 'type') ?? null,
      readonly: d['readonly'] !== undefined,
    };
  });
  return {
    type: attr(domain, 'type') ?? 'unknown',
    title: text(domain, 'title') ?? null,
    description: text(domain, 'description') ?? null,
    machine: attr(osType, 'machine') ?? null,
    arch: attr(osType, 'arch') ?? null,
    vcpus: {
      count: int(text(domain, 'vcpu')) ?? 0,
      placement: attr(vcpu, 'placement') ?? null,
      pinning: children(child(domain, 'cputune'), 'vcpupin').map((p) => ({ vcpu: int(attr(p, 'vcpu')) ?? 0, cpuset: attr(p, 'cpuset') ?? '' })),
    },
    memory: { maxBytes: memoryBytes(domain, 'memory'), currentBytes: memoryBytes(domain, 'currentMemory') ?? memoryBytes(domain, 'memory') },
    disks,
    isos: disks.filter((d) => d.device === 'cdrom' && d.source).map((d) => d.source as string),
    nics: children(devices, 'interface').map((n) => {
      const source = child(n, 'source');
      return {
        mac: attr(child(n, 'mac'), 'address') ?? null,
        type: attr(n, 'type') ?? 'unknown',
        source: attr(source, 'bridge') ?? attr(source, 'network') ?? attr(source, 'dev') ?? null,
        model: attr(child(n, 'model'), 'type') ?? null,
      };
    }),
    graphics: children(devices, 'graphics').map((g) => {
      const port = int(attr(g, 'port'));
      return {
        type: attr(g, 'type') ?? 'unknown',
        port: port !== null && port >= 0 ? port : null,
        autoport: attr(g, 'autoport') === 'yes',
        listen: attr(g, 'listen') ?? attr(child(g, 'listen'), 'address') ?? null,
        locked: attr(g, 'passwd') !== undefined,
      };
    }),
    hostdevCount: children(devices, 'hostdev').length,
  };
}
