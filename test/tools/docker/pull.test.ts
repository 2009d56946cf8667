import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';
import { toolsOf } from '../../helpers/test-tools.js';
import { makeLayer, startLocalRegistry, type Layer, type LocalRegistry } from './local-registry.js';

/**
 * docker_pull over real HTTP against the suite's dockerd. No registry on the internet is reachable:
 * the error paths use names that cannot resolve and ports that refuse; cancellation uses a TCP server
 * that accepts and never answers; successful pulls and their progress use a registry run by the test.
 */
const docker = testDocker().docker;
let srv: TestServer;
let client: Client;
let busybox: Layer;
const pulled: string[] = [];
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 5000, what = 'condition') => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const freePort = async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
};
async function pullOutcome(image: string) {
  return (await readAudit(srv.env.auditDir))
    .filter(
      (r) =>
        r.tool === 'docker_pull' &&
        r.stage === 'outcome' &&
        (r.args as { image?: string } | undefined)?.image === image,
    )
    .at(-1);
}

beforeAll(async () => {
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: toolsOf('docker'),
    tokens: [{ name: 'operator', scope: 'operate' }],
  });
  client = await srv.connect('operator');
  busybox = makeLayer({}, true);
});
afterAll(async () => {
  await srv?.close();
  for (const ref of pulled)
    await docker
      .getImage(ref)
      .remove({ force: true })
      .catch(() => {});
});

describe('registry errors', () => {
  it('a registry whose name does not resolve', async () => {
    const res = (await client.callTool({
      name: 'docker_pull',
      arguments: { image: 'registry.invalid/x:1' },
    })) as CallToolResult;
    expect(res.isError).toBe(true);
    expect(text(res)).toBe(
      "could not reach registry registry.invalid: its name does not resolve (no such host). Check the server's network and DNS; images already on the server can still be used.",
    );
  });

  it('a registry port that refuses connections', async () => {
    const port = await freePort();
    const res = (await client.callTool({
      name: 'docker_pull',
      arguments: { image: `127.0.0.1:${port}/x` },
    })) as CallToolResult;
    expect(text(res)).toMatch(
      new RegExp(`^could not reach registry 127\\.0\\.0\\.1:${port}: connection refused\\.`),
    );
    expect(await pullOutcome(`127.0.0.1:${port}/x`)).toMatchObject({
      result: { status: 'error', code: 'backend_unavailable' },
    });
  });

  it('Docker Hub, from a server without internet', async () => {
    const res = (await client.callTool({
      name: 'docker_pull',
      arguments: { image: 'busybox' },
    })) as CallToolResult;
    expect(text(res)).toMatch(/^could not reach registry docker\.io: /);
  });

  it('an invalid reference never reaches Docker', async () => {
    const res = (await client.callTool({
      name: 'docker_pull',
      arguments: { image: 'Busybox:latest' },
    })) as CallToolResult;
    expect(text(res)).toBe(
      'Invalid arguments for docker_pull: "image": "Busybox:latest" is not a valid image reference: repository names must be lowercase ("Busybox")',
    );
  });
});

describe('cancellation', () => {
  it(
    'aborting stops the pull in dockerd: against a registry that accepts and stalls, no retry follows',
    { timeout: 40_000 },
    async () => {
      const sockets: Socket[] = [];
      const stall: Server = createServer((s) => {
        sockets.push(s);
        s.on('error', () => {});
      });
      await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
      const image = `127.0.0.1:${(stall.address() as AddressInfo).port}/umcp/stall:1`;
      try {
        const ac = new AbortController();
        const call = client.callTool({ name: 'docker_pull', arguments: { image } }, undefined, {
          signal: ac.signal,
          timeout: 60_000,
        });
        await waitFor(() => sockets.length === 1, 10_000, 'dockerd to connect to the stalling registry');
        const connectedAt = Date.now();
        ac.abort();
        await expect(call).rejects.toThrow();
        await waitFor(
          async () => (await pullOutcome(image))?.result?.code === 'cancelled',
          5000,
          'the audited cancellation',
        );
        // A pull still running in dockerd gives up the TLS handshake after 10 s and retries over plain
        // HTTP (a second connection). A cancelled pull never does.
        await new Promise((r) => setTimeout(r, Math.max(0, connectedAt + 12_500 - Date.now())));
        expect(sockets).toHaveLength(1);
      } finally {
        sockets.forEach((s) => s.destroy());
        stall.close();
      }
    },
  );

  it('aborting mid-download breaks off the layer download', async () => {
    const reg = await startLocalRegistry({ bytesPerTick: 16 * 1024, tickMs: 50 });
    try {
      reg.push('umcp/slow', '1', { layers: [busybox] });
      const image = `${reg.host}/umcp/slow:1`;
      const ac = new AbortController();
      const seen: number[] = [];
      const call = client.callTool({ name: 'docker_pull', arguments: { image } }, undefined, {
        signal: ac.signal,
        onprogress: (p) => {
          seen.push(p.progress);
          if (p.progress > 0) ac.abort();
        },
      });
      await expect(call).rejects.toThrow();
      expect(seen.at(-1)).toBeGreaterThan(0);
      expect(seen.at(-1)).toBeLessThan(80);
      await waitFor(() => reg.abortedBlobs() >= 1, 5000, 'the blob download to be broken off');
      await expect(docker.getImage(image).inspect()).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await reg.close();
    }
  });
});

describe('a pull from a reachable registry', () => {
  let reg: LocalRegistry;
  beforeAll(async () => {
    reg = await startLocalRegistry({ bytesPerTick: 64 * 1024, tickMs: 25 });
    reg.push('umcp/ok', '1', { layers: [busybox, makeLayer({ version: '1' })] });
  });
  afterAll(() => reg.close());

  it('reports progress (percent, layers, bytes) and the result; a second pull is up to date', async () => {
    const image = `${reg.host}/umcp/ok:1`;
    pulled.push(image);
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    const res = (await client.callTool({ name: 'docker_pull', arguments: { image } }, undefined, {
      onprogress: (p) => progress.push(p),
    })) as CallToolResult;
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toMatchObject({
      image,
      registry: reg.host,
      status: 'downloaded',
      layers: 2,
      downloadedBytes: busybox.gz.length + 139,
      digest: expect.stringMatching(/^sha256:/),
    });
    const info = await docker.getImage(image).inspect();
    expect((res.structuredContent as { id: string }).id).toBe(info.Id);

    expect(progress[0]).toMatchObject({
      progress: 0,
      total: 100,
      message: `Pulling ${image} from ${reg.host}`,
    });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const values = progress.map((p) => p.progress);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] as number);
    expect(
      progress.some((p) => /^Downloading: \d of 2 layers done, [\d.]+ KiB of 1 MiB$/.test(p.message ?? '')),
    ).toBe(true);
    expect(progress.at(-1)).toMatchObject({ progress: 100, message: 'Downloaded 1 MiB in 2 layers' });

    const again = (await client.callTool({ name: 'docker_pull', arguments: { image } })) as CallToolResult;
    expect(again.structuredContent).toMatchObject({ status: 'up_to_date', downloadedBytes: 0, id: info.Id });
  });

  it('a tag the registry does not have', async () => {
    const res = (await client.callTool({
      name: 'docker_pull',
      arguments: { image: `${reg.host}/umcp/ok:nope` },
    })) as CallToolResult;
    expect(text(res)).toMatch(
      new RegExp(
        `^image ${reg.host.replace(/\./g, '\\.')}/umcp/ok:nope was not found on ${reg.host.replace(/\./g, '\\.')} \\(.*manifest unknown.*\\)\\. Check the name and tag`,
      ),
    );
    expect(await pullOutcome(`${reg.host}/umcp/ok:nope`)).toMatchObject({ result: { code: 'not_found' } });
  });

  it('needs the operate scope', async () => {
    const reader = await startTestServer({
      env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
      tools: toolsOf('docker'),
      tokens: [{ name: 'reader', scope: 'read' }],
    });
    try {
      const c = await reader.connect('reader');
      const res = (await c.callTool({
        name: 'docker_pull',
        arguments: { image: `${reg.host}/umcp/ok:1` },
      })) as CallToolResult;
      expect(res.isError).toBe(true);
      expect(text(res)).toMatch(/operate/);
    } finally {
      await reader.close();
    }
  });
});
