import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { safetyTools } from '../../helpers/test-tools.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';
import { connectV2 } from '../../helpers/v2-client.js';
import { rawRequest } from '../../helpers/raw-request.js';
import { envelope, MODERN, modernRequest, TASKS_EXTENSION } from '../../helpers/modern-rpc.js';

/**
 * /mcp speaking 2026-07-28 on the wire: server/discover, the spec's errors for bad envelopes and
 * headers, and every gate of the 2025 path (token, host, body size, rate, scope, filters, audit)
 * applied the same way before anything is dispatched.
 */
const td = testDocker();
let srv: TestServer;
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

beforeAll(async () => {
  for (const name of ['mw-web', 'mw-secret-db']) await td.createContainer(name);
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: safetyTools,
    tokens: [
      { name: 'test', scope: 'admin' },
      { name: 'reader', scope: 'read' },
      { name: 'flood', scope: 'read' },
      { name: 'watched', scope: 'admin' },
    ],
    policy: { filters: { containers: { allow: [], deny: ['mw-secret*'] } } },
    settingsCfg: 'TOKEN_CALLS_PER_SECOND="5"\nTOKEN_CALL_BURST="5"\n',
  });
});
afterAll(async () => {
  await srv.close();
  await td.cleanup();
});

describe('server/discover', () => {
  it('offers 2026-07-28 with tools, list_changed and the Tasks extension, and no logging (deprecated there)', async () => {
    const reply = await modernRequest(srv, { method: 'server/discover' });
    expect(reply.status).toBe(200);
    expect(reply.body.result).toMatchObject({
      resultType: 'complete',
      supportedVersions: [MODERN],
      capabilities: { tools: { listChanged: true }, extensions: { [TASKS_EXTENSION]: {} } },
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'unraid-mcp' } },
      ttlMs: 300_000,
      cacheScope: 'public',
    });
    expect(reply.body.result.capabilities).not.toHaveProperty('logging');
    expect(reply.body.result.instructions).toMatch(/audit log/);
  });

  it('the 2025 handshake still advertises logging', async () => {
    const client = await srv.connect('test');
    expect(client.getServerCapabilities()).toMatchObject({ tools: { listChanged: true }, logging: {} });
  });

  it('counts requests by era in /metrics, so the owner sees which protocol the clients speak', async () => {
    const metric = async () => {
      const res = await fetch(`${srv.origin}/metrics`, {
        headers: { Authorization: `Bearer ${srv.secrets.test}` },
      });
      const lines = (await res.text()).split('\n');
      const count = (era: string) =>
        Number(
          lines
            .find((l) => l.startsWith(`unraid_mcp_protocol_requests_total{era="${era}"}`))
            ?.split(' ')[1] ?? 0,
        );
      return { legacy: count('2025'), modern: count(MODERN) };
    };
    const before = await metric();
    await modernRequest(srv, { method: 'tools/list' });
    await (await srv.connect('test')).listTools();
    const after = await metric();
    expect(after.modern - before.modern).toBe(1);
    // initialize, notifications/initialized and tools/list
    expect(after.legacy - before.legacy).toBe(3);
  });

  it('needs a token like everything else on /mcp', async () => {
    const reply = await modernRequest(srv, { method: 'server/discover', token: null });
    expect(reply.status).toBe(401);
    expect(reply.body.error.message).toMatch(/^Missing bearer token\./);
  });
});

describe('bad envelopes and headers get the spec’s errors', () => {
  it('an unsupported protocol version: -32022, naming the supported ones', async () => {
    const reply = await modernRequest(srv, {
      method: 'tools/list',
      meta: { ...envelope(), 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
      headers: { 'MCP-Protocol-Version': '2099-01-01' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({
      code: -32022,
      data: { supported: [MODERN], requested: '2099-01-01' },
    });
  });

  it('a malformed envelope: -32602 naming the field', async () => {
    const reply = await modernRequest(srv, {
      method: 'tools/list',
      meta: { ...envelope(), 'io.modelcontextprotocol/clientCapabilities': 'all of them' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe(-32602);
    expect(reply.body.error.message).toMatch(/io\.modelcontextprotocol\/clientCapabilities/);
  });

  it('headers that disagree with the body: -32020', async () => {
    const mismatches: Array<Record<string, string>> = [
      { 'Mcp-Method': 'tools/list' },
      { 'Mcp-Name': 'test_stop' },
    ];
    for (const headers of mismatches) {
      const reply = await modernRequest(srv, {
        method: 'tools/call',
        params: { name: 'test_echo', arguments: { message: 'x' } },
        headers,
      });
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe(-32020);
    }
  });
});

describe('the same gates as the 2025 path, before dispatch', () => {
  it('refuses a foreign Host header', async () => {
    const res = await rawRequest(srv.port, {
      method: 'POST',
      path: '/mcp',
      headers: {
        Host: 'evil.example',
        Authorization: `Bearer ${srv.secrets.test}`,
        'Content-Type': 'application/json',
        'MCP-Protocol-Version': MODERN,
        'Mcp-Method': 'server/discover',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'server/discover',
        params: { _meta: envelope() },
      }),
    });
    expect(res.status).toBe(403);
  });

  it('refuses a body over the limit with 413, before parsing it', async () => {
    const reply = await modernRequest(srv, {
      method: 'tools/call',
      params: { name: 'test_echo', arguments: { message: 'x'.repeat(2 * 1024 * 1024) } },
    });
    expect(reply.status).toBe(413);
  });

  it('applies scopes and the owner’s filters, and audits with the client the envelope names', async () => {
    const scoped = await modernRequest(srv, {
      method: 'tools/call',
      token: 'reader',
      params: { name: 'test_stop', arguments: { id: 'mw-web', timeout: 1 } },
    });
    expect(text(scoped.body.result)).toMatch(/needs a token with the "operate" scope; this token has "read"/);
    const filtered = await modernRequest(srv, {
      method: 'tools/call',
      params: { name: 'test_stop', arguments: { id: 'mw-secret-db', timeout: 1 } },
    });
    expect(text(filtered.body.result)).toMatch(
      /container "mw-secret-db" is denied by the Docker filter "mw-secret\*"/,
    );
    const outcome = (await readAudit(srv.env.auditDir))
      .filter((r) => r.stage === 'outcome' && r.tool === 'test_stop')
      .at(-1);
    expect(outcome).toMatchObject({
      principal: 'test',
      client: { name: 'raw-test-client', version: '1.0.0' },
      decision: { allowed: false },
    });
  });

  it('rate-limits per token', async () => {
    const replies = await Promise.all(
      Array.from({ length: 12 }, () =>
        modernRequest(srv, {
          method: 'tools/call',
          token: 'flood',
          params: { name: 'test_echo', arguments: { message: 'x' } },
        }),
      ),
    );
    const refused = replies.filter((r) => r.body.result.isError);
    expect(refused.length).toBeGreaterThanOrEqual(6);
    expect(text(refused[0]!.body.result)).toMatch(/^Too many calls from this token \(limit 5 per second\)/);
  });
});

describe('tools/list per token', () => {
  it('differs by scope and is marked private (never one token’s list for another)', async () => {
    const admin = (await modernRequest(srv, { method: 'tools/list' })).body.result;
    const reader = (await modernRequest(srv, { method: 'tools/list', token: 'reader' })).body.result;
    expect(admin.tools.length).toBeGreaterThan(reader.tools.length);
    expect(reader.tools.map((t: { name: string }) => t.name).sort()).toEqual([
      'test_echo',
      'test_list_containers',
    ]);
    for (const list of [admin, reader]) expect(list).toMatchObject({ ttlMs: 60_000, cacheScope: 'private' });
  });

  it('tells a listening 2026-07-28 client when its token’s scope changes', async () => {
    const client = await connectV2(srv, { mode: { pin: MODERN }, token: 'watched' });
    try {
      let changed!: () => void;
      const notified = new Promise<void>((resolve) => (changed = resolve));
      client.setNotificationHandler('notifications/tools/list_changed', () => changed());
      const subscription = await client.listen({ toolsListChanged: true });
      const before = await client.listTools();
      expect(before.tools.map((t) => t.name)).toContain('test_remove');
      await setScope('watched', 'read');
      await notified;
      const after = await client.listTools();
      expect(after.tools.map((t) => t.name).sort()).toEqual(['test_echo', 'test_list_containers']);
      await subscription.close();
    } finally {
      await client.close();
    }
  });
});

/** Changes a token's scope in tokens.json, as `unraid-mcp token` or the WebGUI would. */
async function setScope(name: string, scope: string): Promise<void> {
  const file = join(srv.env.configDir, 'tokens.json');
  const data = JSON.parse(await readFile(file, 'utf8')) as { tokens: Array<{ name: string; scope: string }> };
  const token = data.tokens.find((t) => t.name === name);
  if (!token) throw new Error(`no token ${name}`);
  token.scope = scope;
  await writeFile(file, JSON.stringify(data, null, 2));
}
