import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { silentLogger } from '../../server/log.js';
import { TlsListener } from '../../server/http/tls/tls-listener.js';
import { bundle, makeCertificate } from './certs.js';
import { freePort, httpsStatusWhen, servedSerial } from './tls-server.js';

const DAY = 86_400_000;
const LOCAL_NAME = `${hostname().split('.')[0]!.toLowerCase()}.local`;
const good = () => makeCertificate({ commonName: LOCAL_NAME, dns: [LOCAL_NAME] });

describe('HTTPS stays off, saying why, while the certificate is unusable; plain HTTP and the process carry on', () => {
  let srv: TestServer;
  let certsDir: string;
  let file: string;
  let port: number;

  beforeAll(async () => {
    certsDir = await mkdtemp(join(tmpdir(), 'umcp-certs-'));
    file = join(certsDir, `${hostname()}_unraid_bundle.pem`);
    port = await freePort();
    srv = await startTestServer({
      env: { UNRAID_MCP_CERTS_DIR: certsDir, UNRAID_MCP_HTTPS_PORT: String(port) },
    });
    await srv.service.https.start();
  });
  afterAll(async () => {
    await srv?.close();
    await rm(certsDir, { recursive: true, force: true });
  });

  /** HTTPS is off for `reason`: nothing listens on its port, and plain HTTP still answers MCP. */
  async function offBecause(reason: RegExp) {
    const https = await httpsStatusWhen(srv, (h) => !h.serving && reason.test(h.reason ?? ''));
    expect(https).toMatchObject({ enabled: true, serving: false, urls: [], certificates: [] });
    await expect(servedSerial(port)).rejects.toThrow(/ECONNREFUSED/);
    const client = await srv.connect();
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    return https;
  }

  it('no certificate at all: names both files the WebGUI would have', async () => {
    const https = await offBecause(/^no certificate in /);
    expect(https.reason).toBe(
      `no certificate in ${certsDir}: neither certificate_bundle.pem (myunraid.net, from Settings → Management Access → Provision) nor ${hostname()}_unraid_bundle.pem (self-signed, made by the WebGUI when it starts) exists`,
    );
  });

  it('an expired certificate', async () => {
    const old = makeCertificate({
      commonName: LOCAL_NAME,
      dns: [LOCAL_NAME],
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - 30 * DAY),
    });
    await writeFile(file, bundle(old));
    const https = await offBecause(/expired on/);
    expect(https.reason).toMatch(new RegExp(`^${file} expired on \\d{4}-\\d\\d-\\d\\dT`));
    expect(https.problems).toEqual([{ file, problem: https.reason }]);
  });

  it('a certificate not valid yet', async () => {
    const early = makeCertificate({
      commonName: LOCAL_NAME,
      dns: [LOCAL_NAME],
      notBefore: new Date(Date.now() + 30 * DAY),
      notAfter: new Date(Date.now() + 400 * DAY),
    });
    await writeFile(file, bundle(early));
    expect((await offBecause(/not valid yet/)).reason).toMatch(`${file} is not valid yet: valid from `);
  });

  it('a key that belongs to another certificate', async () => {
    const a = good();
    const b = good();
    await writeFile(file, a.cert + b.key);
    expect((await offBecause(/does not belong/)).reason).toBe(
      `${file} has a private key that does not belong to its certificate`,
    );
  });

  it('garbage instead of PEM', async () => {
    await writeFile(file, 'this is not a certificate\n\x00\x01\x02');
    expect((await offBecause(/not a certificate bundle/)).reason).toBe(
      `${file} holds no PEM certificate or key (it is not a certificate bundle)`,
    );
  });

  it('a PEM block whose contents are damaged', async () => {
    const c = good();
    const damaged = c.cert.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!damaged!!!!!!!!!');
    await writeFile(file, damaged + c.key);
    expect((await offBecause(/damaged PEM/)).reason).toBe(
      `${file} has a certificate (number 1 in the file) that cannot be decoded (damaged PEM)`,
    );
  });

  it('a certificate without its key', async () => {
    await writeFile(file, good().cert);
    expect((await offBecause(/no private key/)).reason).toBe(
      `${file} holds no private key (the WebGUI keeps the certificate chain and its key in one file)`,
    );
  });

  it('a file that cannot be read (a folder in its place, a symbolic link to itself)', async () => {
    await rm(file, { force: true });
    await mkdir(file);
    expect((await offBecause(/is a folder/)).reason).toBe(`${file} is a folder, not a certificate file`);
    await rm(file, { recursive: true });
    await symlink(file, file);
    expect((await offBecause(/symbolic link/)).reason).toBe(
      `${file} cannot be read: it is a symbolic link that points to itself`,
    );
    await rm(file, { force: true });
  });

  it('then a good certificate turns HTTPS on, without a restart', async () => {
    const c = good();
    await writeFile(file, bundle(c));
    const https = await httpsStatusWhen(srv, (h) => h.serving);
    expect(https).toMatchObject({ serving: true, reason: null, port, problems: [] });
    expect(await servedSerial(port)).toBe(c.serial);
  });
});

describe('HTTPS on a port another program holds', () => {
  let holder: Server;
  let port: number;
  let certsDir: string;

  beforeAll(async () => {
    certsDir = await mkdtemp(join(tmpdir(), 'umcp-certs-'));
    await writeFile(join(certsDir, `${hostname()}_unraid_bundle.pem`), bundle(good()));
    holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    port = (holder.address() as { port: number }).port;
  });
  afterAll(async () => {
    holder.close();
    await rm(certsDir, { recursive: true, force: true });
  });

  it('the status names the port and the setting to change; plain HTTP is unaffected', async () => {
    const srv = await startTestServer({
      env: { UNRAID_MCP_CERTS_DIR: certsDir, UNRAID_MCP_HTTPS_PORT: String(port) },
    });
    try {
      await srv.service.https.start();
      const https = (await srv.admin('GET', '/api/status')).json.mcp.https;
      expect(https).toMatchObject({ enabled: true, serving: false, port, urls: [] });
      expect(https.reason).toBe(
        `port ${port} on 127.0.0.1 is already in use by another program. Stop that program, or set UNRAID_MCP_HTTPS_PORT to a free port.`,
      );
      const client = await srv.connect();
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await srv.close();
    }
  });

  it('once the port comes free the listener opens by itself', async () => {
    const blocked = await freePort();
    const other = createServer();
    await new Promise<void>((r) => other.listen(blocked, '127.0.0.1', r));
    const tls = new TlsListener({
      enabled: true,
      certsDir,
      host: '127.0.0.1',
      port: blocked,
      portSetting: 'HTTPS_PORT',
      hostName: hostname(),
      addresses: () => ['127.0.0.1'],
      app: (_req, res) => res.end('ok'),
      log: silentLogger,
      watchRetryMs: 200,
    });
    try {
      await tls.start();
      expect(tls.state()).toMatchObject({ serving: false, reason: expect.stringMatching(/already in use/) });
      await new Promise<void>((r) => other.close(() => r()));
      await expect.poll(() => tls.state().serving, { timeout: 5000 }).toBe(true);
      await expect(servedSerial(blocked)).resolves.toMatch(/^[0-9A-F]+$/);
    } finally {
      other.close();
      await tls.close();
    }
  });
});

describe('HTTPS switched off', () => {
  it('opens nothing, and the status says it is off by the setting', async () => {
    const certsDir = await mkdtemp(join(tmpdir(), 'umcp-certs-'));
    await writeFile(join(certsDir, `${hostname()}_unraid_bundle.pem`), bundle(good()));
    const port = await freePort();
    const srv = await startTestServer({
      settingsCfg: 'HTTPS="no"\n',
      env: { UNRAID_MCP_CERTS_DIR: certsDir, UNRAID_MCP_HTTPS_PORT: String(port) },
    });
    try {
      await srv.service.https.start();
      const https = (await srv.admin('GET', '/api/status')).json.mcp.https;
      expect(https).toMatchObject({
        enabled: false,
        serving: false,
        reason: 'HTTPS is switched off (HTTPS in unraid-mcp.cfg, Settings → Unraid MCP → Settings)',
        urls: [],
      });
      await expect(servedSerial(port)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await srv.close();
      await rm(certsDir, { recursive: true, force: true });
    }
  });
});
