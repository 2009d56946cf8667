import { createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TestServer } from '../helpers/start-server.js';

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The serial of the certificate a fresh TLS connection is shown (verification off: this asks only
 * which certificate is served); rejects when nothing listens.
 */
export function servedSerial(port: number, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

export type HttpsStatus = { serving: boolean; reason: string | null; port: number; [k: string]: any };

/** The admin status's https part once `check` accepts it (the folder is watched, not polled). */
export async function httpsStatusWhen(
  srv: TestServer,
  check: (https: HttpsStatus) => boolean,
  timeoutMs = 8000,
): Promise<HttpsStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = (await srv.admin('GET', '/api/status')).json.mcp.https as HttpsStatus;
    if (check(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`the HTTPS status never became what the test waits for; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
