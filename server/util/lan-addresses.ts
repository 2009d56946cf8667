import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

/**
 * The addresses a LAN client can reach a listener bound to `bindHost` on: bound to one address, that
 * address alone; bound to every interface, every non-internal address except IPv6 link-local ones
 * (they need a zone id no client config carries), and IPv4 only when bound to 0.0.0.0.
 */
export function lanAddresses(
  bindHost: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  if (bindHost !== '0.0.0.0' && bindHost !== '::') return [bindHost];
  const found: string[] = [];
  for (const addrs of Object.values(interfaces)) {
    for (const a of addrs ?? []) {
      if (a.internal || (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:'))) continue;
      // Listening on 0.0.0.0 accepts IPv4 only.
      if (bindHost === '0.0.0.0' && a.family === 'IPv6') continue;
      found.push(a.address);
    }
  }
  return found;
}
