import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startTestServer, mcpHeaders, INIT_BODY, type TestServer } from '../helpers/start-server.js';
import { defineTool } from '../../server/tools/define-tool.js';

/**
 * The lock-out: every run of a client that exits without DELETE (the Inspector CLI, a crashed
 * agent) leaves its session open, and the 17th run on a token used to be refused with 429 "already
 * has 16 open sessions" until the idle sweep ran 30 minutes later. Now the least recently used idle
 * session makes room; a session with a call in flight is never the one closed, and a new session is
 * refused — with Retry-After — only when every session is busy.
 */

/** Calls wait here until the test lets them go; `held` counts the calls that have started. */
let held = 0;
let waiting: Array<() => void> = [];
function releaseAll(): void {
  for (const go of waiting) go();
  waiting = [];
}
const testHold = defineTool({
  name: 'test_hold',
  title: 'Hold',
  description: 'Waits until the test releases it.',
  toolset: 'system',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({}).strict(),
  output: z.object({ released: z.boolean() }),
  run: async (_args, ctx) => {
    held++;
    await new Promise<void>((resolve, reject) => {
      waiting.push(resolve);
      ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
    return { released: true };
  },
});

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sessionOf = (c: Client) => (c.transport as StreamableHTTPClientTransport).sessionId as string;

describe('per-token session limit (default 16), clients that never DELETE', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ tools: [testHold] });
  });
  afterAll(async () => {
    releaseAll();
    await srv.close();
  });

  it('the 17th client connects; the least recently used idle session is closed, never a busy one', async () => {
    const clients: Client[] = [];
    for (let i = 0; i < 16; i++) clients.push(await srv.connect());
    const [busy, lru, ...rest] = clients as [Client, Client, ...Client[]];
    // Let each client's GET stream arrive, then order the sessions by use: `busy` is used first and
    // keeps a call in flight, so it is the least recently used — but not idle.
    await until(
      '16 sessions',
      async () => (await srv.admin('GET', '/api/sessions')).json.sessions.length === 16,
    );
    const call = busy.callTool({ name: 'test_hold', arguments: {} });
    await until('the call to start', () => held === 1);
    for (const c of [lru, ...rest]) {
      await new Promise((r) => setTimeout(r, 2));
      await c.ping();
    }

    const seventeenth = await srv.connect();
    expect((await seventeenth.listTools()).tools.map((t) => t.name)).toEqual(['test_hold']);

    // The closed session: its client's next request is "session not found".
    const err = (await lru.ping().then(
      () => null,
      (e: unknown) => e,
    )) as { code?: number; message: string } | null;
    expect(err?.code).toBe(404);
    expect(err?.message).toMatch(/Session not found/);
    const raw = await fetch(srv.url, {
      method: 'POST',
      headers: mcpHeaders(srv.secrets.test as string, { 'Mcp-Session-Id': sessionOf(lru) }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
    });
    expect(raw.status).toBe(404);

    // Everyone else is still there, the busy call included, and it completes.
    for (const c of rest) await c.ping();
    const ids = ((await srv.admin('GET', '/api/sessions')).json.sessions as Array<{ id: string }>).map(
      (s) => s.id,
    );
    expect(ids).toHaveLength(16);
    expect(ids).toContain(sessionOf(busy));
    expect(ids).not.toContain(sessionOf(lru));
    expect(ids).toContain(sessionOf(seventeenth));
    releaseAll();
    expect(((await call) as CallToolResult).structuredContent).toEqual({ released: true });
  });

  it('when every session of the token is busy, a new one is refused with 429 and Retry-After', async () => {
    // The first test left 16 open sessions; give every one a call in flight.
    const ids = ((await srv.admin('GET', '/api/sessions')).json.sessions as Array<{ id: string }>).map(
      (s) => s.id,
    );
    expect(ids).toHaveLength(16);
    held = 0;
    const headers = (id: string) => mcpHeaders(srv.secrets.test as string, { 'Mcp-Session-Id': id });
    const calls = ids.map((id, i) =>
      fetch(srv.url, {
        method: 'POST',
        headers: headers(id),
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 100 + i,
          method: 'tools/call',
          params: { name: 'test_hold', arguments: {} },
        }),
      }),
    );
    await until('16 calls to start', () => held === 16);

    const refused = await fetch(srv.url, {
      method: 'POST',
      headers: mcpHeaders(srv.secrets.test as string),
      body: JSON.stringify(INIT_BODY),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      'This token has 16 open sessions (limit 16) and every one has a request in progress, so none was closed to make room. Try again in 5 seconds, or end sessions you no longer use (DELETE, or unraid-mcp sessions close).',
    );
    const listed = (await srv.admin('GET', '/api/sessions')).json.sessions as Array<{ inFlight: number }>;
    expect(listed.map((s) => s.inFlight)).toEqual(Array(16).fill(1));

    // Once the calls are answered the sessions are idle again, and a new one gets in.
    releaseAll();
    for (const res of await Promise.all(calls)) expect(res.status).toBe(200);
    const admitted = await fetch(srv.url, {
      method: 'POST',
      headers: mcpHeaders(srv.secrets.test as string),
      body: JSON.stringify(INIT_BODY),
    });
    expect(admitted.status).toBe(200);
    expect((await srv.admin('GET', '/api/sessions')).json.sessions).toHaveLength(16);
  });
});

describe('total session limit (all tokens)', () => {
  it("closes another token's least recently used idle session; 503 with Retry-After when all are busy", async () => {
    const srv = await startTestServer({
      tools: [testHold],
      tokens: [
        { name: 'alice', scope: 'read' },
        { name: 'bob', scope: 'read' },
      ],
      settingsCfg: 'MAX_SESSIONS="3"\n',
    });
    try {
      const open = async (token: string) => {
        const res = await fetch(srv.url, {
          method: 'POST',
          headers: mcpHeaders(srv.secrets[token] as string),
          body: JSON.stringify(INIT_BODY),
        });
        return { status: res.status, id: res.headers.get('mcp-session-id'), res };
      };
      const bob1 = await open('bob');
      await new Promise((r) => setTimeout(r, 2));
      const alice1 = await open('alice');
      await new Promise((r) => setTimeout(r, 2));
      const alice2 = await open('alice');
      const alice3 = await open('alice');
      expect([bob1, alice1, alice2, alice3].map((o) => o.status)).toEqual([200, 200, 200, 200]);
      const tokens = () =>
        srv
          .admin('GET', '/api/sessions')
          .then((r) => (r.json.sessions as Array<{ id: string; token: string }>).map((s) => [s.id, s.token]));
      expect(await tokens()).toEqual([
        [alice1.id, 'alice'],
        [alice2.id, 'alice'],
        [alice3.id, 'alice'],
      ]);

      held = 0;
      const calls = [alice1, alice2, alice3].map((o, i) =>
        fetch(srv.url, {
          method: 'POST',
          headers: mcpHeaders(srv.secrets.alice as string, { 'Mcp-Session-Id': o.id as string }),
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: i + 1,
            method: 'tools/call',
            params: { name: 'test_hold', arguments: {} },
          }),
        }),
      );
      await until('3 calls to start', () => held === 3);
      const refused = await open('bob');
      expect(refused.status).toBe(503);
      expect(refused.res.headers.get('retry-after')).toBe('5');
      expect(((await refused.res.json()) as { error: { message: string } }).error.message).toMatch(
        /^The server has 3 open sessions \(limit 3\) and every one has a request in progress/,
      );
      releaseAll();
      for (const res of await Promise.all(calls)) expect(res.status).toBe(200);
      expect((await open('bob')).status).toBe(200);
    } finally {
      releaseAll();
      await srv.close();
    }
  });
});
