import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testTools } from '../helpers/test-tools.js';

describe('health endpoints with Docker and libvirt down', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({
      tools: testTools,
      env: { LIBVIRT_URI: 'qemu:///system?socket=/nonexistent/libvirt-sock' },
    });
  });
  afterAll(() => srv.close());

  it('/healthz answers without a token', async () => {
    const res = await fetch(`${srv.origin}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'alive' });
  });

  it('/readyz is 503 and names Docker and libvirt as unavailable', async () => {
    const res = await fetch(`${srv.origin}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'unavailable',
      unavailable: ['docker', 'libvirt'],
      backends: {
        config: { up: true },
        audit: { up: true },
        docker: { up: false, reason: 'the Docker service is not running' },
        libvirt: { up: false, reason: 'the VM service (libvirt) is not running' },
      },
    });
  });

  it('/metrics needs a token and exposes bounded metrics', async () => {
    expect((await fetch(`${srv.origin}/metrics`)).status).toBe(401);
    const client = await srv.connect();
    await client.callTool({ name: 'test_echo', arguments: { message: 'x' } });
    await client.callTool({ name: 'test_echo', arguments: { nope: 1 } });
    const res = await fetch(`${srv.origin}/metrics`, {
      headers: { Authorization: `Bearer ${srv.secrets.test}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('unraid_mcp_tool_calls_total{tool="test_echo",outcome="ok"} 1');
    expect(text).toContain('unraid_mcp_tool_calls_total{tool="test_echo",outcome="invalid"} 1');
    expect(text).toMatch(/unraid_mcp_sessions_active [1-9]/);
    expect(text).toContain('unraid_mcp_http_rejected_total{reason="missing_token"} 1');
    // No label carries anything a client chose, other than registry tool names.
    const labels = [...text.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
      (m[1] as string).split(',').map((kv) => kv.split('=')[0]),
    );
    expect(new Set(labels)).toEqual(new Set(['tool', 'outcome', 'reason', 'le', 'era']));
  });
});

describe('health endpoints with a real Docker Engine', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({
      tools: testTools,
      env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    });
  });
  afterAll(() => srv.close());

  it('/readyz is 200 when Docker answers and libvirt (test driver) is reachable', async () => {
    const res = await fetch(`${srv.origin}/readyz`);
    expect(await res.json()).toEqual({
      status: 'ready',
      unavailable: [],
      backends: { config: { up: true }, audit: { up: true }, docker: { up: true }, libvirt: { up: true } },
    });
    expect(res.status).toBe(200);
  });

  it('/readyz turns 503 during shutdown', async () => {
    const other = await startTestServer({
      tools: testTools,
      env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    });
    const stopping = other.service.shutdown(1000);
    const res = await fetch(`${other.origin}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { unavailable: string[] }).unavailable).toContain('shutting_down');
    await stopping;
    await other.close();
  });
});
