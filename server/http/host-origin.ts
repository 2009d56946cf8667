import { networkInterfaces, hostname } from 'node:os';
import { isIPv6 } from 'node:net';
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
  const names = new Set(['localhost', '127.0.0.1', '::1', ...opts.extra.map(allowedForm)]);
  const host = (opts.systemHostName ?? hostname()).toLowerCase();
  names.add(host);
  names.add(host.split('.')[0] as string);
  names.add(`${host.split('.')[0]}.local`);
  if (opts.bindHost !== '0.0.0.0' && opts.bindHost !== '::') names.add(allowedForm(opts.bindHost));
  for (const addrs of Object.values(networkInterfaces()))
    for (const a of addrs ?? []) names.add(allowedForm(a.address));
  return names;
}

/**
 * Makes `allowed` the names of `base` plus `hosts`: the host names the served certificates are for
 * (such as `192-168-1-10.<hash>.myunraid.net`), which clients must use for the certificate to verify.
 * Replaced whenever the certificates change, in place, so the request handlers see it at once.
 */
export function acceptCertificateHosts(
  allowed: Set<string>,
  base: ReadonlySet<string>,
  hosts: Iterable<string>,
): void {
  allowed.clear();
  for (const h of base) allowed.add(h);
  for (const h of hosts) allowed.add(allowedForm(h));
}

/** A host name or address as hostWithoutPort gives it, so an IPv6 address matches however it was written. */
function allowedForm(entry: string): string {
  const v = entry.trim().toLowerCase();
  if (isIPv6(v)) return hostWithoutPort(`[${v}]`) ?? v;
  return hostWithoutPort(v) ?? v;
}

/** `[IPv6]` with an optional port: the only form in which brackets are allowed (RFC 3986 IP-literal). */
const BRACKETED = /^\[([^\[\]]*)\](?::(\d{0,5}))?$/;
/** A name or IPv4 address with an optional port: no brackets, at most one colon, nothing a URL would split on. */
const PLAIN = /^([^[\]:\s/@?#\\]+)(?::(\d{0,5}))?$/;

/**
 * The host of a Host header value (or an origin's host), lower case, without its port; IPv6
 * literals lose their brackets and are written the canonical way (`[0:0::1]` is `::1`). Null when
 * it is malformed: brackets around anything but an IPv6 address (`[evil.com]`, `[1.2.3.4]`), an
 * unclosed bracket, more than one colon outside brackets, or a port that is not digits — such a
 * value is refused, never trimmed into something that happens to be allowed.
 */
export function hostWithoutPort(value: string): string | null {
  const v = value.trim().toLowerCase();
  const bracketed = BRACKETED.exec(v);
  if (bracketed) {
    const address = bracketed[1] as string;
    if (!isIPv6(address)) return null;
    try {
      return new URL(`http://[${address}]/`).hostname.slice(1, -1);
    } catch {
      return null; // an address URL does not take either, such as one with a zone ("%eth0")
    }
  }
  const plain = PLAIN.exec(v);
  return plain ? (plain[1] as string) : null;
}

/** Why the request's Host or Origin is refused, or null when both are acceptable. */
export function hostOriginProblem(
  req: IncomingMessage,
  allowed: Set<string>,
): { reason: 'host' | 'origin'; message: string } | null {
  const host = req.headers.host;
  const name = host ? hostWithoutPort(host) : null;
  if (host && name === null) {
    return {
      reason: 'host',
      message: `Host ${quoteUntrusted(host, 100)} is malformed: expected a host name or address with an optional port (digits only), and brackets only around an IPv6 address (such as [::1]:8765).`,
    };
  }
  if (!name || !allowed.has(name)) {
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
