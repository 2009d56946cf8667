import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createToken } from '../../server/tokens/token-commands.js';
import { MAIN, assertBuilt, tempEnv } from '../helpers/cli.js';
import { bundle, makeCertificate } from './certs.js';
import { httpsFetch } from './https-fetch.js';

const LOCAL_NAME = `${hostname().split('.')[0]!.toLowerCase()}.local`;

interface Running {
  child: ChildProcess;
  /** stdout so far. */
  out: () => string;
  err: () => string;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** `unraid-mcp serve` (the built entry point, as the plugin runs it) until its stdout matches `until`. */
async function serve(env: Record<string, string>, until: RegExp): Promise<Running> {
  const child = spawn(process.execPath, [MAIN, 'serve'], { env });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${until} in 10 s; stdout: ${out}; stderr: ${err}`)),
      10_000,
    );
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}; stderr: ${err}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (until.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.removeAllListeners('exit');
  return { child, out: () => out, err: () => err };
}

function stop(r: Running): Promise<number | null> {
  return new Promise((resolve) => {
    r.child.once('exit', (code) => resolve(code));
    r.child.kill('SIGTERM');
  });
}

/** GET on the admin API's unix socket, as the WebGUI bridge asks. */
function adminGet(socketPath: string, path: string): Promise<any> {
  return new Promise((resolve, reject) => {
    request({ socketPath, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(JSON.parse(body)));
    })
      .on('error', reject)
      .end();
  });
}

describe('unraid-mcp serve with HTTPS', () => {
  beforeAll(() => assertBuilt());

  it('HTTP="no": HTTPS alone, announced on stdout, serves a real MCP client; SIGTERM ends it cleanly', async () => {
    const env = await tempEnv({ UNRAID_MCP_HTTPS_PORT: '0' });
    const certsDir = join(dirname(env.UNRAID_MCP_CONFIG_DIR!), 'certs');
    await mkdir(certsDir, { recursive: true });
    await mkdir(env.UNRAID_MCP_CONFIG_DIR!, { recursive: true });
    await writeFile(join(env.UNRAID_MCP_CONFIG_DIR!, 'unraid-mcp.cfg'), 'HTTP="no"\n');
    const cert = makeCertificate({ commonName: LOCAL_NAME, dns: [LOCAL_NAME] });
    await writeFile(join(certsDir, `${hostname()}_unraid_bundle.pem`), bundle(cert));
    const { secret } = await createToken(env.UNRAID_MCP_CONFIG_DIR!, 'laptop', 'read', null, new Date());
    const run = await serve({ ...env, UNRAID_MCP_CERTS_DIR: certsDir }, /unraid-mcp https: .*\n/);
    expect(run.out()).toMatch(/^unraid-mcp ready: HTTP is off \(HTTP="no" in unraid-mcp\.cfg\)\n/);
    const port = Number(
      /^unraid-mcp https: MCP URL https:\/\/127\.0\.0\.1:(\d+)\/mcp$/m.exec(run.out())?.[1],
    );
    expect(port).toBeGreaterThan(0);
    const status = await adminGet(env.UNRAID_MCP_ADMIN_SOCKET!, '/api/status');
    expect(status.mcp).toMatchObject({ urls: [], http: { enabled: false }, https: { serving: true, port } });

    const client = new Client({ name: 'vitest-serve', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`https://${LOCAL_NAME}:${port}/mcp`), {
        fetch: httpsFetch({ ca: cert.cert }),
        requestInit: { headers: { Authorization: `Bearer ${secret}` } },
      }),
    );
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
    expect(await stop(run)).toBe(0);
  });

  it('a garbage certificate: HTTPS off with the file named, plain HTTP serves, the process stays up and turns HTTPS on when a good one arrives', async () => {
    const env = await tempEnv({ UNRAID_MCP_HTTPS_PORT: '0' });
    const certsDir = join(dirname(env.UNRAID_MCP_CONFIG_DIR!), 'certs');
    await mkdir(certsDir, { recursive: true });
    const file = join(certsDir, `${hostname()}_unraid_bundle.pem`);
    await writeFile(file, 'not a certificate');
    const run = await serve({ ...env, UNRAID_MCP_CERTS_DIR: certsDir }, /unraid-mcp https is off: .*\n/);
    expect(run.out()).toMatch(/^unraid-mcp ready: MCP URL http:\/\/127\.0\.0\.1:\d+\/mcp\n/);
    expect(run.out()).toContain(
      `unraid-mcp https is off: ${file} holds no PEM certificate or key (it is not a certificate bundle)\n`,
    );
    const httpUrl = /^unraid-mcp ready: MCP URL (\S+)\/mcp$/m.exec(run.out())![1]!;
    expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);

    const cert = makeCertificate({ commonName: LOCAL_NAME, dns: [LOCAL_NAME] });
    await writeFile(file, bundle(cert));
    await expect
      .poll(async () => (await adminGet(env.UNRAID_MCP_ADMIN_SOCKET!, '/api/status')).mcp.https.serving, {
        timeout: 8000,
      })
      .toBe(true);
    expect(run.child.exitCode).toBeNull();
    expect(run.err()).toContain('"https listening"');
    expect(await stop(run)).toBe(0);
  });
});
