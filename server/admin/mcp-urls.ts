import { hostname, type NetworkInterfaceInfo } from 'node:os';
import { isIPv6 } from 'node:net';
import { lanAddresses } from '../util/lan-addresses.js';
import type { HttpsStatus } from './admin-deps.js';

/** One way to reach the MCP endpoint, as the WebGUI's Connect view offers it. */
export interface McpUrl {
  address: string;
  url: string;
}

/** An HTTPS URL, with what a client must trust for its certificate to verify. */
export interface HttpsUrl extends McpUrl {
  /** Signed by itself: a client verifies it only once told to trust it. */
  selfSigned: boolean;
  /** False when no served certificate names this host (clients that verify refuse it). */
  named: boolean;
}

const urlOf = (scheme: 'http' | 'https', host: string, port: number) =>
  `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}/mcp`;

/**
 * The MCP URLs a client on the LAN can use: the server's name on the local network (Unraid answers
 * mDNS as `<name>.local`) and each address it listens on (lanAddresses). Bound to one address, that
 * address alone. The Host check accepts all of them (host-origin.ts).
 */
export function mcpUrls(opts: {
  bindHost: string;
  port: number;
  systemHostName?: string;
  interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>;
}): McpUrl[] {
  const addresses = lanAddresses(opts.bindHost, opts.interfaces);
  const wildcard = opts.bindHost === '0.0.0.0' || opts.bindHost === '::';
  const name = `${(opts.systemHostName ?? hostname()).split('.')[0]!.toLowerCase()}.local`;
  return [...(wildcard ? [name] : []), ...addresses].map((a) => ({
    address: a,
    url: urlOf('http', a, opts.port),
  }));
}

/**
 * The HTTPS URLs: one per host name a served certificate is for (the myunraid.net names first, as
 * they verify everywhere). A certificate naming none of this server's names leaves the plain
 * addresses, marked as not named, so the owner still sees where HTTPS listens.
 */
export function httpsUrls(
  https: HttpsStatus,
  fallback: { bindHost: string; interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]> },
): HttpsUrl[] {
  if (!https.serving) return [];
  const urls: HttpsUrl[] = [];
  const ordered = [...https.certificates].sort((a, b) => Number(a.selfSigned) - Number(b.selfSigned));
  for (const c of ordered)
    for (const host of c.hosts)
      if (!urls.some((u) => u.address === host))
        urls.push({
          address: host,
          url: urlOf('https', host, https.port),
          selfSigned: c.selfSigned,
          named: true,
        });
  if (urls.length) return urls;
  const selfSigned = https.certificates.every((c) => c.selfSigned);
  return lanAddresses(fallback.bindHost, fallback.interfaces).map((a) => ({
    address: a,
    url: urlOf('https', a, https.port),
    selfSigned,
    named: false,
  }));
}
