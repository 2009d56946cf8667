import { attr, child, children, memoryBytes, parseDomainXml, text } from './domain-xml.js';

/** What vm_inspect reports of a domain (its output schema lives with the tool). */
export interface DomainDetails {
  type: string;
  title: string | null;
  description: string | null;
  machine: string | null;
  arch: string | null;
  vcpus: { count: number; placement: string | null; pinning: Array<{ vcpu: number; cpuset: string }> };
  memory: { maxBytes: number | null; currentBytes: number | null };
  disks: Array<{
    device: string;
    target: string | null;
    bus: string | null;
    source: string | null;
    format: string | null;
    readonly: boolean;
  }>;
  isos: string[];
  nics: Array<{ mac: string | null; type: string; source: string | null; model: string | null }>;
  graphics: Array<{
    type: string;
    port: number | null;
    autoport: boolean;
    listen: string | null;
    locked: boolean;
  }>;
  hostdevCount: number;
}

const int = (v: string | undefined): number | null =>
  v !== undefined && /^-?\d+$/.test(v) ? Number(v) : null;

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
      source:
        attr(source, 'file') ?? attr(source, 'dev') ?? attr(source, 'volume') ?? attr(source, 'name') ?? null,
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
      pinning: children(child(domain, 'cputune'), 'vcpupin').map((p) => ({
        vcpu: int(attr(p, 'vcpu')) ?? 0,
        cpuset: attr(p, 'cpuset') ?? '',
      })),
    },
    memory: {
      maxBytes: memoryBytes(domain, 'memory'),
      currentBytes: memoryBytes(domain, 'currentMemory') ?? memoryBytes(domain, 'memory'),
    },
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
