import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { safetyTools } from '../helpers/test-tools.js';
import { testDocker } from '../helpers/docker.js';
import { connectV2 } from '../helpers/v2-client.js';

// What the WebGUI's Status and Access views and its filter preview read from the admin API.
const td = testDocker();
let srv: TestServer;
beforeAll(async () => {
  await td.createContainer('st-plex');
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: safetyTools,
  });
});
afterAll(async () => {
  await srv.close();
  await td.cleanup();
});

describe('status', () => {
  it('names the MCP URL with the port it listens on, the connected clients and the calls of the last hour', async () => {
    const before = (await srv.admin('GET', '/api/status')).json;
    expect(before.mcp).toMatchObject({
      serving: true,
      bind: '127.0.0.1',
      port: Number(new URL(srv.url).port),
      // The test sidecar, like the demo, is placed by the environment, which wins over BIND / PORT.
      setByEnvironment: ['UNRAID_MCP_HOST', 'UNRAID_MCP_PORT'],
    });
    expect(before.mcp.urls).toEqual([{ address: '127.0.0.1', url: srv.url }]);
    expect(before.settings).toEqual({ valid: true, problems: [] });

    const client = await connectV2(srv, { mode: 'legacy' });
    try {
      await client.callTool({ name: 'test_echo', arguments: { message: 'one' } });
      await client.callTool({ name: 'test_echo', arguments: { message: 'two' } });
      const now = (await srv.admin('GET', '/api/status')).json;
      expect(now.sessions).toEqual({
        active: 1,
        clients: [{ name: 'vitest-v2', version: '2.0.0', token: 'test', sessions: 1 }],
      });
      expect(now.calls.lastHour).toBe(before.calls.lastHour + 2);
    } finally {
      await client.close();
    }
  });

  it('says MCP is not served, and why, while the settings file is invalid', async () => {
    const cfg = join(srv.env.configDir, 'unraid-mcp.cfg');
    writeFileSync(cfg, 'MAX_SESSIONS="lots"\n');
    try {
      await expect
        .poll(async () => (await srv.admin('GET', '/api/status')).json.mcp.serving, { timeout: 5000 })
        .toBe(false);
      const json = (await srv.admin('GET', '/api/status')).json;
      expect(json.mcp.reason).toMatch(/MCP is disabled until .*unraid-mcp\.cfg is fixed/);
      expect(json.settings.valid).toBe(false);
      expect(json.settings.problems).toContainEqual(
        expect.objectContaining({ field: 'MAX_SESSIONS', message: expect.any(String) }),
      );
    } finally {
      writeFileSync(cfg, '');
      await expect
        .poll(async () => (await srv.admin('GET', '/api/status')).json.mcp.serving, { timeout: 5000 })
        .toBe(true);
    }
  });
});

describe('tool catalogue', () => {
  it('lists every toolset with its state and every tool with scope and confirmation modes', async () => {
    const { status, json } = await srv.admin('GET', '/api/tools');
    expect(status).toBe(200);
    expect(json.toolsets.map((t: { id: string }) => t.id)).toContain('docker');
    expect(json.tools.map((t: { name: string }) => t.name)).toEqual(safetyTools.map((t) => t.name));
    const got = await srv.admin('GET', '/api/settings');
    const mode = (name: string) =>
      (json.tools as Array<{ name: string; confirm: unknown }>).find((t) => t.name === name)?.confirm;
    const destructive = safetyTools.find((t) => !t.annotations.readOnlyHint && t.confirm)!;
    expect(mode(destructive.name)).toEqual({ default: destructive.confirm, effective: destructive.confirm });

    const put = await srv.admin(
      'PUT',
      '/api/settings',
      { confirmModes: { [destructive.name]: 'none' } },
      { 'If-Match': `"${got.json.revision}"` },
    );
    expect(put.status).toBe(200);
    const after = (await srv.admin('GET', '/api/tools')).json;
    expect(
      (after.tools as Array<{ name: string; confirm: unknown }>).find((t) => t.name === destructive.name)
        ?.confirm,
    ).toEqual({ default: destructive.confirm, effective: 'none' });
  });
});

describe('filter preview', () => {
  it('previews VMs next to containers', async () => {
    const res = await srv.admin('POST', '/api/filters/preview', {
      filters: { vms: { deny: ['te*'] }, containers: { deny: ['st-*'] } },
    });
    expect(res.status).toBe(200);
    expect(res.json.sources).toEqual({ docker: 'ok', libvirt: 'ok' });
    expect(res.json.vms).toContainEqual(
      expect.objectContaining({ name: 'test', allowed: false, rule: 'deny:te*' }),
    );
    expect(res.json.containers).toContainEqual(
      expect.objectContaining({ name: 'st-plex', allowed: false, rule: 'deny:st-*' }),
    );
  });
});

describe('listener settings', () => {
  const revision = async () => (await srv.admin('GET', '/api/settings')).json.revision as string;

  it('refuses a port another program holds, next to the field, and saves nothing', async () => {
    const held = createNetServer();
    await new Promise<void>((r) => held.listen({ port: 0, host: '0.0.0.0' }, r));
    try {
      const port = (held.address() as AddressInfo).port;
      const res = await srv.admin('PUT', '/api/settings', { port }, { 'If-Match': `"${await revision()}"` });
      expect(res.status).toBe(400);
      expect(res.json.problems).toEqual([
        { field: 'port', message: `port ${port} is in use by another program on this server` },
      ]);
      expect((await srv.admin('GET', '/api/settings')).json.settings.port).toBe(8765);
    } finally {
      await new Promise((r) => held.close(r));
    }
  });

  it('refuses an address that is not this server, and a port out of range', async () => {
    const bind = await srv.admin(
      'PUT',
      '/api/settings',
      { bind: '192.0.2.77' },
      { 'If-Match': `"${await revision()}"` },
    );
    expect(bind.status).toBe(400);
    expect(bind.json.problems).toEqual([
      { field: 'bind', message: '192.0.2.77 is not an address of this server' },
    ]);
    const range = await srv.admin(
      'PUT',
      '/api/settings',
      { port: 70000 },
      { 'If-Match': `"${await revision()}"` },
    );
    expect(range.status).toBe(400);
    expect(range.json.problems).toEqual([{ field: 'port', message: 'must be at most 65535' }]);
  });

  it('saves a free port to the settings file and says it applies at the next restart', async () => {
    const free = createNetServer();
    await new Promise<void>((r) => free.listen({ port: 0, host: '0.0.0.0' }, r));
    const port = (free.address() as AddressInfo).port;
    await new Promise((r) => free.close(r));
    const res = await srv.admin('PUT', '/api/settings', { port }, { 'If-Match': `"${await revision()}"` });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ changed: ['port'], restartNeeded: ['port'] });
    expect(readFileSync(join(srv.env.configDir, 'unraid-mcp.cfg'), 'utf8')).toContain(`PORT="${port}"`);
    // Still listening where it was until a restart.
    expect((await srv.admin('GET', '/api/status')).json.mcp.port).toBe(Number(new URL(srv.url).port));
  });
});
