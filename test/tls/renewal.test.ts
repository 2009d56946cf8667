import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { bundle, makeCertificate, type TestCertificate } from './certs.js';
import { httpsFetch } from './https-fetch.js';
import { httpsStatusWhen, servedSerial } from './tls-server.js';
import { rawRequest } from '../helpers/raw-request.js';

const LOCAL_NAME = `${hostname().split('.')[0]!.toLowerCase()}.local`;
const HASH = '0123456789abcdef0123456789abcdef01234567';
const MYUNRAID_NAME = `127-0-0-1.${HASH}.myunraid.net`;
const selfSigned = (notAfter?: Date) =>
  makeCertificate({ commonName: LOCAL_NAME, dns: [LOCAL_NAME], notAfter });

/** Fresh TLS connections until one is shown `serial` (the folder is watched; a renewal settles first). */
async function servedSoon(port: number, serial: string, servername = LOCAL_NAME): Promise<void> {
  await expect.poll(() => servedSerial(port, servername), { timeout: 8000, interval: 100 }).toBe(serial);
}

describe('a renewed certificate is served without a restart', () => {
  let srv: TestServer;
  let certsDir: string;
  let file: string;
  let port: number;
  let first: TestCertificate;

  beforeAll(async () => {
    certsDir = await mkdtemp(join(tmpdir(), 'umcp-certs-'));
    file = join(certsDir, `${hostname()}_unraid_bundle.pem`);
    first = selfSigned();
    await writeFile(file, bundle(first));
    srv = await startTestServer({ env: { UNRAID_MCP_CERTS_DIR: certsDir, UNRAID_MCP_HTTPS_PORT: '0' } });
    await srv.service.https.start();
    port = srv.service.https.state().port;
  });
  afterAll(async () => {
    await srv?.close();
    await rm(certsDir, { recursive: true, force: true });
  });

  it('rewritten in place: new connections get the new serial, a session opened before goes on', async () => {
    expect(await servedSerial(port)).toBe(first.serial);
    const client = new Client({ name: 'vitest-renewal', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`https://${LOCAL_NAME}:${port}/mcp`), {
        fetch: httpsFetch({ ca: first.cert }),
        requestInit: { headers: { Authorization: `Bearer ${srv.secrets.test!}` } },
      }),
    );
    const renewed = selfSigned();
    await writeFile(file, bundle(renewed));
    await servedSoon(port, renewed.serial);
    expect((await srv.admin('GET', '/api/status')).json.mcp.https.certificates[0].serial).toBe(
      renewed.serial,
    );
    // The session is the server's (not the connection's): the client, still trusting the old
    // certificate only, now meets the new one on its next connection and is refused — as a browser
    // would be. Trusting the new certificate, a new client carries on.
    await expect(client.listTools()).rejects.toThrow();
    await client.close();
    const again = new Client({ name: 'vitest-renewal', version: '1.0.0' });
    await again.connect(
      new StreamableHTTPClientTransport(new URL(`https://${LOCAL_NAME}:${port}/mcp`), {
        fetch: httpsFetch({ ca: renewed.cert }),
        requestInit: { headers: { Authorization: `Bearer ${srv.secrets.test!}` } },
      }),
    );
    expect((await again.listTools()).tools.length).toBeGreaterThan(0);
    await again.close();
  });

  it('replaced by a rename (written aside, then moved over the old file)', async () => {
    const renewed = selfSigned();
    await writeFile(join(certsDir, '.bundle.tmp'), bundle(renewed));
    await rename(join(certsDir, '.bundle.tmp'), file);
    await servedSoon(port, renewed.serial);
  });

  it('a broken renewal turns HTTPS off with the reason; the next good one turns it back on, same port', async () => {
    await writeFile(file, 'half a file');
    const off = await httpsStatusWhen(srv, (h) => !h.serving);
    expect(off.reason).toBe(`${file} holds no PEM certificate or key (it is not a certificate bundle)`);
    const fixed = selfSigned();
    await writeFile(file, bundle(fixed));
    await httpsStatusWhen(srv, (h) => h.serving);
    expect(srv.service.https.state().port).toBe(port);
    await servedSoon(port, fixed.serial);
  });

  it('a myunraid.net certificate provisioned later is served for its names, and its names are accepted', async () => {
    const ca = makeCertificate({ commonName: 'Test Public Root', isCa: true });
    const wildcard = makeCertificate({
      commonName: `*.${HASH}.myunraid.net`,
      dns: [`*.${HASH}.myunraid.net`],
      ca,
    });
    const get = httpsFetch({ ca: ca.cert });
    const auth = { Authorization: `Bearer ${srv.secrets.test!}` };
    expect((await rawRequest(srv.port, { path: '/healthz', headers: { Host: MYUNRAID_NAME } })).status).toBe(
      403,
    );
    await writeFile(join(certsDir, 'certificate_bundle.pem'), bundle(wildcard, ca));
    await servedSoon(port, wildcard.serial, MYUNRAID_NAME);
    expect((await get(`https://${MYUNRAID_NAME}:${port}/metrics`, { headers: auth })).status).toBe(200);
    // Deleted again (Management Access → Delete): its names are no longer accepted.
    await rm(join(certsDir, 'certificate_bundle.pem'));
    await httpsStatusWhen(srv, (h) => h.certificates.length === 1);
    expect((await rawRequest(srv.port, { path: '/healthz', headers: { Host: MYUNRAID_NAME } })).status).toBe(
      403,
    );
  });
});

describe('a certificate that expires while served', () => {
  it('turns HTTPS off at its end of validity, with no change to the file', async () => {
    const certsDir = await mkdtemp(join(tmpdir(), 'umcp-certs-'));
    const file = join(certsDir, `${hostname()}_unraid_bundle.pem`);
    await writeFile(file, bundle(selfSigned(new Date(Date.now() + 3000))));
    const srv = await startTestServer({
      env: { UNRAID_MCP_CERTS_DIR: certsDir, UNRAID_MCP_HTTPS_PORT: '0' },
    });
    try {
      await srv.service.https.start();
      expect(srv.service.https.state().serving).toBe(true);
      const off = await httpsStatusWhen(srv, (h) => !h.serving, 10_000);
      expect(off.reason).toMatch(new RegExp(`^${file} expired on `));
    } finally {
      await srv.close();
      await rm(certsDir, { recursive: true, force: true });
    }
  });
});
