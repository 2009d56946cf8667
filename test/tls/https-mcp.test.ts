import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { bundle, makeCertificate, type TestCertificate } from './certs.js';
import { httpsFetch } from './https-fetch.js';
import { rawRequest } from '../helpers/raw-request.js';

/** The names the WebGUI's own certificates carry on a server called like this one. */
const SERVER = hostname().split('.')[0]!.toLowerCase();
const LOCAL_NAME = `${SERVER}.local`;
const HASH = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
/** What Lime Technology's DNS resolves to 127.0.0.1, and the listener is bound to in tests. */
const MYUNRAID_NAME = `127-0-0-1.${HASH}.myunraid.net`;

/** The serial of the certificate a fresh TLS connection is shown for `servername`. */
function servedSerial(port: number, servername: string | null, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      {
        host: '127.0.0.1',
        port,
        ca,
        ...(servername ? { servername } : { checkServerIdentity: () => undefined }),
      },
      () => {
        const serial = socket.getPeerCertificate().serialNumber;
        socket.end();
        resolve(serial);
      },
    );
    socket.on('error', reject);
  });
}

async function mcpClient(url: string, ca: string, secret: string): Promise<Client> {
  const client = new Client({ name: 'vitest-https', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      fetch: httpsFetch({ ca }),
      requestInit: { headers: { Authorization: `Bearer ${secret}` } },
    }),
  );
  return client;
}

describe('HTTPS with the WebGUI certificates (self-signed and myunraid.net)', () => {
  let srv: TestServer;
  let certsDir: string;
  let selfSigned: TestCertificate;
  let letsEncrypt: TestCertificate;
  let myunraid: TestCertificate;
  let port: number;

  beforeAll(async () => {
    certsDir = await mkdtemp(join(tmpdir(), 'umcp-certs-'));
    // As nginx makes it: CN and DNS name <server>.local, certificate then key in one file.
    selfSigned = makeCertificate({ commonName: LOCAL_NAME, dns: [LOCAL_NAME] });
    await writeFile(join(certsDir, `${hostname()}_unraid_bundle.pem`), bundle(selfSigned));
    // As Unraid provisions it: a wildcard for the server's hash, signed by a public CA, chain included.
    letsEncrypt = makeCertificate({ commonName: 'Test Public Root', isCa: true });
    myunraid = makeCertificate({
      commonName: `*.${HASH}.myunraid.net`,
      dns: [`*.${HASH}.myunraid.net`],
      ca: letsEncrypt,
    });
    await writeFile(join(certsDir, 'certificate_bundle.pem'), bundle(myunraid, letsEncrypt));
    srv = await startTestServer({ env: { UNRAID_MCP_CERTS_DIR: certsDir, UNRAID_MCP_HTTPS_PORT: '0' } });
    await srv.service.https.start();
    port = srv.service.https.state().port;
  });
  afterAll(async () => {
    await srv?.close();
    await rm(certsDir, { recursive: true, force: true });
  });

  it('serves MCP over HTTPS to a client that trusts the self-signed certificate, under <server>.local', async () => {
    const client = await mcpClient(`https://${LOCAL_NAME}:${port}/mcp`, selfSigned.cert, srv.secrets.test!);
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    const result = await client.callTool({ name: 'system_overview', arguments: {} });
    expect(result.isError).toBeFalsy();
    await client.close();
  });

  it('serves the myunraid.net name with the CA-signed wildcard, verified against the CA alone', async () => {
    const client = await mcpClient(
      `https://${MYUNRAID_NAME}:${port}/mcp`,
      letsEncrypt.cert,
      srv.secrets.test!,
    );
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it('picks the certificate by the name the client asks for (SNI), the myunraid.net one without a name', async () => {
    expect(await servedSerial(port, LOCAL_NAME, selfSigned.cert)).toBe(selfSigned.serial);
    expect(await servedSerial(port, MYUNRAID_NAME, letsEncrypt.cert)).toBe(myunraid.serial);
    expect(await servedSerial(port, null, letsEncrypt.cert)).toBe(myunraid.serial);
  });

  it('refuses a client that does not trust the certificate (verification stays on)', async () => {
    await expect(servedSerial(port, LOCAL_NAME, letsEncrypt.cert)).rejects.toThrow(/self[- ]signed/i);
  });

  it('accepts the myunraid.net name in Host and Origin on HTTPS and plain HTTP, and no other name under it', async () => {
    const get = httpsFetch({ ca: letsEncrypt.cert });
    const auth = { Authorization: `Bearer ${srv.secrets.test!}` };
    const ok = await get(`https://${MYUNRAID_NAME}:${port}/metrics`, {
      headers: { ...auth, Origin: `https://${MYUNRAID_NAME}:${port}` },
    });
    expect(ok.status).toBe(200);
    const plain = await rawRequest(srv.port, {
      path: '/metrics',
      headers: { ...auth, Host: `${MYUNRAID_NAME}:${srv.port}` },
    });
    expect(plain.status).toBe(200);
    const other = await get(`https://10-9-8-7.${HASH}.myunraid.net:${port}/metrics`, { headers: auth });
    expect(other.status).toBe(403);
    expect(await other.text()).toMatch(/Host .* is not allowed/);
  });

  it('the admin status lists the HTTPS URLs with their certificates, the myunraid.net one first', async () => {
    const { json } = await srv.admin('GET', '/api/status');
    expect(json.mcp.http).toEqual({ enabled: true });
    expect(json.mcp.urls).toEqual([{ address: '127.0.0.1', url: srv.url }]);
    expect(json.mcp.https).toMatchObject({ enabled: true, serving: true, port, reason: null, problems: [] });
    expect(json.mcp.https.urls).toEqual([
      { address: MYUNRAID_NAME, url: `https://${MYUNRAID_NAME}:${port}/mcp`, selfSigned: false, named: true },
      { address: LOCAL_NAME, url: `https://${LOCAL_NAME}:${port}/mcp`, selfSigned: true, named: true },
    ]);
    const files = json.mcp.https.certificates.map((c: { file: string; serial: string }) => [
      c.file,
      c.serial,
    ]);
    expect(files).toEqual([
      [join(certsDir, 'certificate_bundle.pem'), myunraid.serial],
      [join(certsDir, `${hostname()}_unraid_bundle.pem`), selfSigned.serial],
    ]);
  });
});
