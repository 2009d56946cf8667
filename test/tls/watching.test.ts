import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { silentLogger } from '../../server/log.js';
import { TlsListener } from '../../server/http/tls/tls-listener.js';
import { bundle, makeCertificate } from './certs.js';
import { servedSerial } from './tls-server.js';

const LOCAL_NAME = `${hostname().split('.')[0]!.toLowerCase()}.local`;
const FILE = `${hostname()}_unraid_bundle.pem`;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A listener on its own folder that counts how often it read the certificates (each read ends in onChange). */
async function listener(certsDir: string, watchRetryMs = 30_000) {
  let reads = 0;
  const tls = new TlsListener({
    enabled: true,
    certsDir,
    host: '127.0.0.1',
    port: 0,
    portSetting: 'HTTPS_PORT',
    hostName: hostname(),
    addresses: () => ['127.0.0.1'],
    app: (_req, res) => res.end('ok'),
    log: silentLogger,
    onChange: () => reads++,
    watchRetryMs,
  });
  cleanups.push(() => tls.close());
  await tls.start();
  return { tls, reads: () => reads };
}

const get = (port: number) =>
  new Promise<number>((resolve, reject) =>
    request({ host: '127.0.0.1', port, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end(),
  );

describe('the certificate folder is watched, not polled', () => {
  it('requests never read the certificate; a burst of writes is read once, after it settles', async () => {
    const certsDir = await mkdtemp(join(tmpdir(), 'umcp-certs-'));
    cleanups.push(() => rm(certsDir, { recursive: true, force: true }));
    await writeFile(join(certsDir, FILE), bundle(makeCertificate({ commonName: LOCAL_NAME })));
    const { tls, reads } = await listener(certsDir);
    expect(reads()).toBe(1);
    const port = tls.state().port;
    for (let i = 0; i < 50; i++) expect(await get(port)).toBe(200);
    expect(reads()).toBe(1);

    // A renewal written in pieces (truncate, write, append…): one read once it has settled.
    const next = makeCertificate({ commonName: LOCAL_NAME });
    const text = bundle(next);
    for (let i = 1; i <= 5; i++) {
      await writeFile(join(certsDir, FILE), text.slice(0, Math.round((text.length * i) / 5)));
      await new Promise((r) => setTimeout(r, 50));
    }
    await expect.poll(() => servedSerial(port), { timeout: 5000 }).toBe(next.serial);
    expect(reads()).toBe(2);
    // Files it does not serve are ignored.
    await writeFile(join(certsDir, 'ts_bundle.pem'), 'tailscale');
    await new Promise((r) => setTimeout(r, 800));
    expect(reads()).toBe(2);
  });

  it('a certificate folder that does not exist yet is looked for again, and served once it appears', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'umcp-certs-'));
    cleanups.push(() => rm(parent, { recursive: true, force: true }));
    const certsDir = join(parent, 'certs');
    const { tls } = await listener(certsDir, 100);
    expect(tls.state()).toMatchObject({
      serving: false,
      reason: expect.stringMatching(new RegExp(`^no certificate in ${certsDir}: `)),
    });
    await mkdir(certsDir);
    const cert = makeCertificate({ commonName: LOCAL_NAME });
    await writeFile(join(certsDir, FILE), bundle(cert));
    await expect.poll(() => tls.state().serving, { timeout: 5000 }).toBe(true);
    expect(await servedSerial(tls.state().port)).toBe(cert.serial);
  });
});
