import { hostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { isIPv6 } from 'node:net';

/** One way to reach the MCP endpoint, as the WebGUI's Connect view offers it. */
export interface McpUrl {
  address: string;
  url: string;
}

/**
 * The MCP URLs a client on the LAN can use: the server's name on the local network (Unraid answers
 * mDNS as `<name>.local`) and each address it listens on. Bound to every interface, that is every
 * non-internal address except IPv6 link-local ones (they need a zone id no client config carries);
 * bound to one address, that address alone. The Host check accepts all of them (host-origin.ts).
 */
export function mcpUrls(opts: {
  bindHost: string;
  port: number;
  systemHostName?: string;
  interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>;
}): McpUrl[] {
  const url = (host: string) => `http://${isIPv6(host) ? `[${host}]` : host}:${opts.port}/mcp`;
  const wildcard = opts.bindHost === '0.0.0.0' || opts.bindHost === '::';
  if (!wildcard) return [{ address: opts.bindHost, url: url(opts.bindHost) }];
  const name = `${(opts.systemHostName ?? hostname()).split('.')[0]!.toLowerCase()}.local`;
  const found: McpUrl[] = [{ address: name, url: url(name) }];
  for (const addrs of Object.values(opts.interfaces ?? networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal || (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:'))) continue;
      // Listening on 0.0.0.0 accepts IPv4 only.
      if (opts.bindHost === '0.0.0.0' && a.family === 'IPv6') continue;
      found.push({ address: a.address, url: url(a.address) });
    }
  }
  return found;
}
