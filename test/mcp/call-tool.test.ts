import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, mcpHeaders, INIT_BODY, type TestServer } from '../helpers/start-server.js';
import { readMessages } from '../helpers/sse.js';
import { testTools } from '../helpers/test-tools.js';
import { readAudit } from '../helpers/audit-file.js';
import { GENERIC_FAILURE } from '../../server/errors/to-tool-result.js';
import { testDocker } from '../helpers/docker.js';

const td = testDocker();

let srv: TestServer;
beforeAll(async () => {
  // The test tools act on containers "slowpoke" and "plex": real ones, on the suite's dockerd.
  await td.createContainer('slowpoke');
  await td.createContainer('plex');
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: testTools,
    settingsCfg: 'RESPONSE_CAP_KB="8"\nTOOL_TIMEOUT_SECONDS="1"\n',
    tokens: [
      { name: 'admin', scope: 'admin' },
      { name: 'operator', scope: 'operate' },
    ],
  });
});
afterAll(async () => {
  await srv.close();
  await td.cleanup();
});

const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;

describe('results', () => {
  it('returns structuredContent and the same JSON as text', async () => {
    const client = await srv.connect('admin');
    const res = (await client.callTool({
      name: 'test_echo',
      arguments: { message: 'hello' },
    })) as CallToolResult;
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toEqual({ message: 'hello' });
    expect(JSON.parse(textOf(res))).toEqual(res.structuredContent);
  });

  it('shortens the longest list to fit the cap and marks the truncation', async () => {
    const client = await srv.connect('admin');
    const res = (await client.callTool({
      name: 'test_big_list',
      arguments: { count: 1000 },
    })) as CallToolResult;
    const data = res.structuredContent as {
      host: string;
      items: unknown[];
      truncated: { path: string; kept: number; total: number; hint: string };
    };
    expect(Buffer.byteLength(textOf(res))).toBeLessThanOrEqual(8 * 1024);
    expect(data.host).toBe('tower');
    expect(data.truncated).toMatchObject({ path: 'items', total: 1000 });
    expect(data.items).toHaveLength(data.truncated.kept);
    // The most that fit: one more item would cross the cap.
    expect(data.truncated.kept).toBeGreaterThan(60);
    expect(Buffer.byteLength(textOf(res)) + 100).toBeGreaterThan(8 * 1024);
    expect(data.truncated.hint).toMatch(/of 1000 items/);
  });

  it('leaves a result under the cap untouched', async () => {
    const client = await srv.connect('admin');
    const res = (await client.callTool({
      name: 'test_big_list',
      arguments: { count: 10 },
    })) as CallToolResult;
    expect((res.structuredContent as { items: unknown[]; truncated?: unknown }).items).toHaveLength(10);
    expect((res.structuredContent as { truncated?: unknown }).truncated).toBeUndefined();
  });

  it('redacts secrets in results', async () => {
    const client = await srv.connect('admin');
    const res = (await client.callTool({
      name: 'test_echo',
      arguments: { message: 'key AKIAABCDEFGHIJKLMNOP', password: 'hunter2' },
    })) as CallToolResult;
    expect(res.structuredContent).toEqual({ message: 'key [REDACTED]', password: '[REDACTED]' });
  });
});

describe('errors', () => {
  it('turns an unexpected error into a generic message without paths or stacks', async () => {
    const client = await srv.connect('admin');
    const res = (await client.callTool({ name: 'test_broken', arguments: {} })) as CallToolResult;
    expect(res.isError).toBe(true);
    expect(textOf(res)).toBe(GENERIC_FAILURE);
  });

  it('passes a typed tool error through verbatim', async () => {
    const client = await srv.connect('admin');
    const res = (await client.callTool({
      name: 'test_broken',
      arguments: { typed: true },
    })) as CallToolResult;
    expect(textOf(res)).toBe('container "ghost" does not exist');
  });

  it('refuses output that does not match the schema', async () => {
    const client = await srv.connect('admin');
    const res = (await client.callTool({ name: 'test_bad_output', arguments: {} })) as CallToolResult;
    expect(res.isError).toBe(true);
    expect(textOf(res)).toBe(GENERIC_FAILURE);
  });

  it('names wrong argument types', async () => {
    const client = await srv.connect('admin');
    const res = (await client.callTool({
      name: 'test_big_list',
      arguments: { count: 'ten' },
    })) as CallToolResult;
    expect(textOf(res)).toBe(
      'Invalid arguments for test_big_list: "count": Invalid input: expected number, received string',
    );
  });

  it('stops a call at the tool timeout', async () => {
    const client = await srv.connect('admin');
    const res = (await client.callTool({
      name: 'test_slow',
      arguments: { steps: 3, delayMs: 800 },
    })) as CallToolResult;
    expect(textOf(res)).toBe('test_slow did not finish within 1 s. The server may be busy; try again later.');
  });
});

describe('capabilities', () => {
  it('declares tools and logging, and accepts logging/setLevel', async () => {
    const client = await srv.connect('admin');
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, logging: {} });
    expect(client.getServerVersion()).toMatchObject({ name: 'unraid-mcp' });
    await expect(client.setLoggingLevel('warning')).resolves.toEqual({});
  });
});

describe('progress and cancellation', () => {
  it('sends progress notifications when the client asks for them', async () => {
    const client = await srv.connect('operator');
    const seen: Array<{ progress: number; total?: number; message?: string }> = [];
    const res = await client.callTool(
      { name: 'test_slow', arguments: { steps: 3, delayMs: 20 } },
      undefined,
      { onprogress: (p) => seen.push(p) },
    );
    expect(res.structuredContent).toEqual({ done: 3 });
    expect(seen).toEqual([
      { progress: 1, total: 3, message: 'step 1 of 3' },
      { progress: 2, total: 3, message: 'step 2 of 3' },
      { progress: 3, total: 3, message: 'step 3 of 3' },
    ]);
  });

  it('answers a lone result as plain JSON, and as an event stream when progress goes first', async () => {
    const post = (body: unknown, headers: Record<string, string>) =>
      fetch(srv.url, { method: 'POST', headers, body: JSON.stringify(body) });
    const init = await post(INIT_BODY, mcpHeaders(srv.secrets.operator as string));
    await readMessages(init);
    const headers = mcpHeaders(srv.secrets.operator as string, {
      'mcp-session-id': init.headers.get('mcp-session-id') as string,
      'mcp-protocol-version': '2025-11-25',
    });

    const plain = await post(
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'test_echo', arguments: { message: 'hi' } },
      },
      headers,
    );
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect((await readMessages(plain)).map((m) => m.id)).toEqual([2]);

    const params = { name: 'test_slow', arguments: { steps: 2, delayMs: 10 }, _meta: { progressToken: 'p' } };
    const streamed = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params }, headers);
    expect(streamed.headers.get('content-type')).toBe('text/event-stream');
    expect((await readMessages(streamed)).map((m) => m.method ?? m.id)).toEqual([
      'notifications/progress',
      'notifications/progress',
      3,
    ]);
  });

  it('aborts the tool when the client cancels, and audits it', async () => {
    const client = await srv.connect('operator');
    const ctl = new AbortController();
    const call = client.callTool({ name: 'test_slow', arguments: { steps: 5, delayMs: 150 } }, undefined, {
      signal: ctl.signal,
    });
    setTimeout(() => ctl.abort('user pressed stop'), 200);
    await expect(call).rejects.toThrow();
    // The outcome is written when the tool stops; poll for it rather than guess how long that takes.
    const cancelled = async () =>
      (await readAudit(srv.env.auditDir)).some(
        (r) => r.tool === 'test_slow' && r.stage === 'outcome' && r.result?.code === 'cancelled',
      );
    for (let i = 0; i < 100 && !(await cancelled()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await cancelled()).toBe(true);
  });
});

describe('audit', () => {
  it('writes an intent before and an outcome after each call, with redacted arguments', async () => {
    const client = await srv.connect('admin');
    await client.callTool({ name: 'test_admin_write', arguments: { name: 'plex' } });
    await client.callTool({ name: 'test_echo', arguments: { message: 'x', password: 'hunter2' } });
    const records = await readAudit(srv.env.auditDir);
    const write = records.filter((r) => r.tool === 'test_admin_write');
    expect(write.map((r) => r.stage)).toEqual(['intent', 'outcome']);
    expect(write[0]).toMatchObject({
      principal: 'admin',
      client: { name: 'vitest', version: '1.0.0' },
      target: { kind: 'container', ref: 'plex', name: 'plex' },
      decision: { allowed: true, rule: null },
    });
    expect((write[0]?.target as { id?: string }).id).toMatch(/^[0-9a-f]{64}$/);
    expect(write[1]).toMatchObject({ intent: write[0]?.id, result: { status: 'ok' } });
    expect(write[0]?.session).toMatch(/^[0-9a-f]{16}$/);
    const echo = records.filter((r) => r.tool === 'test_echo').pop();
    expect(echo?.args).toEqual({ message: 'x', password: '[REDACTED]' });
    expect(JSON.stringify(records)).not.toContain('hunter2');
  });

  it('audits denials and invalid calls too', async () => {
    const client = await srv.connect('operator');
    await client.callTool({ name: 'test_admin_write', arguments: { name: 'db' } });
    const denied = (await readAudit(srv.env.auditDir)).filter(
      (r) => r.tool === 'test_admin_write' && r.principal === 'operator',
    );
    expect(denied.map((r) => [r.stage, r.decision.rule])).toEqual([
      ['intent', 'scope'],
      ['outcome', 'scope'],
    ]);
    expect(denied[1]?.result).toMatchObject({ status: 'error', code: 'policy_denied' });
  });

  it('keeps the audit directory 0700 and the file 0600', async () => {
    expect((await stat(srv.env.auditDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(srv.env.auditDir, 'audit.jsonl'))).mode & 0o777).toBe(0o600);
  });
});

describe('settings', () => {
  it('read-only mode hides and refuses every writing tool, whatever the scope', async () => {
    const ro = await startTestServer({ tools: testTools, settingsCfg: 'READ_ONLY="yes"\n' });
    try {
      const client = await ro.connect();
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).not.toContain('test_admin_write');
      expect(names).not.toContain('test_slow');
      expect(names).toContain('test_echo');
      const res = (await client.callTool({
        name: 'test_admin_write',
        arguments: { name: 'x' },
      })) as CallToolResult;
      expect(textOf(res)).toMatch(/read-only mode/);
    } finally {
      await ro.close();
    }
  });

  it('a switched-off toolset is neither listed nor callable', async () => {
    const off = await startTestServer({ tools: testTools, settingsCfg: 'TOOLSETS="system"\n' });
    try {
      const client = await off.connect();
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('test_slow');
      const res = (await client.callTool({
        name: 'test_slow',
        arguments: { steps: 1, delayMs: 0 },
      })) as CallToolResult;
      expect(textOf(res)).toMatch(/"docker" tools are switched off/);
    } finally {
      await off.close();
    }
  });

  it('an invalid settings file disables MCP with a message naming the field', async () => {
    const bad = await startTestServer({ tools: testTools, settingsCfg: 'READ_ONLY="maybe"\n' });
    try {
      const res = await fetch(bad.url, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${bad.secrets.test}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
        },
        body: '{}',
      });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /unraid-mcp.cfg: READ_ONLY: /,
      );
    } finally {
      await bad.close();
    }
  });
});
