import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';

/**
 * A fetch over node:https that trusts `ca` (as NODE_EXTRA_CA_CERTS makes a Node client do) and
 * resolves every name to `address` — so a client can use a certificate's real host names, such as
 * `127-0-0-1.<hash>.myunraid.net`, against the test's loopback listener, with full verification.
 */
export function httpsFetch(opts: { ca: string; address?: string }): typeof fetch {
  const address = opts.address ?? '127.0.0.1';
  const lookup = ((_host: string, options: { all?: boolean }, cb: (...a: unknown[]) => void) =>
    options.all ? cb(null, [{ address, family: 4 }]) : cb(null, address, 4)) as unknown as LookupFunction;
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const method = init?.method ?? 'GET';
      const req = request(
        url,
        {
          method,
          headers: Object.fromEntries(new Headers(init?.headers).entries()),
          ca: opts.ca,
          lookup,
          agent: false,
          signal: init?.signal ?? undefined,
        },
        (res) => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) headers.append(k, one);
          const status = res.statusCode ?? 0;
          const empty = status === 204 || status === 304 || method === 'HEAD';
          if (empty) res.resume();
          resolve(
            new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
              status,
              headers,
            }),
          );
        },
      );
      req.on('error', reject);
      const body = init?.body;
      req.end(typeof body === 'string' ? body : body == null ? undefined : Buffer.from(body as ArrayBuffer));
    });
}
