import { networkInterfaces, hostname } from 'node:os';
import type { IncomingMessage } from 'node:http';
import { quoteUntrusted } from '../util/quote-untrusted.js';

/**
 * The Host and Origin names this server answers to: its own host names and addresses, the localhost
 * forms, and any the owner added. Everything else is refused, which defeats DNS rebinding (a hostile
 * web page resolving its own name to the server's address).
 */
export function buildAllowedHosts(opts: {
  bindHost: string;
  extra: ReadonlyArray<string>;
  systemHostName?: string;
}): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', ...opts.extra.map((h) => h.toLowerCase())]);
  const host = (opts.systemHostName ?? hostname()).toLowerCase();
  names.add(host);
  names.add(host.split('.')[0] as string);
  names.add(`${host.split('.')[0]}.local`);
  if (opts.bindHost !== '0.0.0.0' && opts.bindHost !== '::') names.add(opts.bindHost.toLowerCase());
  for (const addrs of Object.values(networkInterfaces()))
    for (const a of addrs ?? []) names.add(a.address.toLowerCase());
  return names;
}

/** Host header value without port; IPv6 literals lose their brackets. */
export function hostWithoutPort(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.startsWith('[')) return v.slice(1, v.indexOf(']') === -1 ? undefined : v.indexOf(']'));
  const colon = v.lastIndexOf(':');
  return colon === -1 ? v : v.slice(0, colon);
}

/** Why the request's Host or Origin is refused, or null when both are acceptable. */
export function hostOriginProblem(
  req: IncomingMessage,
  allowed: Set<string>,
): { reason: 'host' | 'origin'; message: string } | null {
  const host = req.headers.host;
  if (!host || !allowed.has(hostWithoutPort(host))) {
    return {
      reason: 'host',
      message: `Host ${quoteUntrusted(String(host ?? ''), 100)} is not allowed. Add it to UNRAID_MCP_ALLOWED_HOSTS (or Allowed hosts in Settings → unraid-mcp) if this is how you reach the server.`,
    };
  }
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  let originHost: string | null = null;
  try {
    originHost = origin === 'null' ? null : hostWithoutPort(new URL(origin).host);
  } catch {
    originHost = null;
  }
  if (originHost !== null && allowed.has(originHost)) return null;
  return {
    reason: 'origin',
    message: `Origin ${quoteUntrusted(origin, 100)} is not allowed: browsers may not call this server from other sites.`,
  };
}
