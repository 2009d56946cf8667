/**
 * IPv4 addresses and subnets as unsigned 32-bit numbers, to check what Docker would otherwise refuse
 * with an obscure message (or accept and fail later): a gateway outside its subnet, overlapping
 * subnets, a static address outside the network.
 */
export interface Ipv4Subnet {
  /** Network address. */
  base: number;
  prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Dotted quad → number; null for anything else (leading zeros, spaces, IPv6, out-of-range octets). */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `a.b.c.d/n` → its parts, host bits kept (so the caller can say they are set); null when malformed. */
export function parseCidr(text: string): { address: number; prefix: number } | null {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!m) return null;
  const address = parseIpv4(m[1] as string);
  const prefix = Number(m[2]);
  if (address === null || prefix > 32 || String(prefix) !== m[2]) return null;
  return { address, prefix };
}

export function subnetOf(address: number, prefix: number): Ipv4Subnet {
  return { base: (address & mask(prefix)) >>> 0, prefix };
}

export function formatSubnet(s: Ipv4Subnet): string {
  return `${formatIpv4(s.base)}/${s.prefix}`;
}

export function contains(s: Ipv4Subnet, address: number): boolean {
  return (address & mask(s.prefix)) >>> 0 === s.base;
}

export function broadcastOf(s: Ipv4Subnet): number {
  return (s.base | ~mask(s.prefix)) >>> 0;
}

export function overlaps(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  return contains(a, b.base) || contains(b, a.base);
}
