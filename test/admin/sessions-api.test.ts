import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestServer, mcpHeaders, INIT_BODY, type TestServer } from '../helpers/start-server.js';
import { readAudit } from '../helpers/audit-file.js';
import { defineTool } from '../../server/tools/define-tool.js';
import { createLogger } from '../../server/log.js';

/** The owner's view of open MCP sessions: GET /api/sessions, DELETE /api/sessions/ID. */
const readHints = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
let held = 0;
let waiting: Array<() => void> = [];
const testHold = defineTool({
  name: 'test_hold',
  title: 'Hold',
  description: 'Waits until the test releases it.',
  toolset: 'system',
  scope: 'read',
  annotations: readHints,
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
const testQuick = defineTool({
  name: 'test_quick',
  title: 'Quick',
  description: 'Answers at once.',
  toolset: 'system',
  scope: 'read',
  annotations: readHints,
  input: z.object({}).strict(),
  output: z.object({ ok: z.boolean() }),
  run: async () => ({ ok: true }),
});

interface SessionView {
  id: string;
  tag: string;
  token: string;
  scope: string;
  client: { name: string; version: string } | null;
  openedAt: string;
  lastActive: string;
  calls: number;
  inFlight: number;
}

let srv: TestServer;
const logLines: string[] = [];
beforeAll(async () => {
  srv = await startTestServer({
    tools: [testHold, testQuick],
    tokens: [
      { name: 'agent', scope: 'read' },
      { name: 'other', scope: 'operate' },
    ],
    log: createLogger('debug', (line) => logLines.push(line)),
  });
});
afterAll(async () => {
  for (const go of waiting) go();
  await srv.close();
});

const sessionOf = (c: Client) => (c.transport as StreamableHTTPClientTransport).sessionId as string;
const tagOf = (id: string) => createHash('sha256').update(id).digest('hex').slice(0, 16);
const list = async () => (await srv.admin('GET', '/api/sessions')).json.sessions as SessionView[];

describe('GET /api/sessions', () => {
  it('lists each session with its token, client, opened, last active, calls and requests in flight', async () => {
    const before = Date.now();
    const client = await srv.connect('agent');
    await client.callTool({ name: 'test_quick', arguments: {} });
    await client.callTool({ name: 'test_quick', arguments: {} });
    await client.listTools(); // not a tool call
    held = 0;
    const call = client.callTool({ name: 'test_hold', arguments: {} });
    for (let i = 0; i < 200 && held < 1; i++) await new Promise((r) => setTimeout(r, 10));

    const mine = (await list()).find((s) => s.id === sessionOf(client));
    expect(mine).toEqual({
      id: sessionOf(client),
      tag: tagOf(sessionOf(client)),
      token: 'agent',
      scope: 'read',
      client: { name: 'vitest', version: '1.0.0' },
      openedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastActive: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      calls: 3,
      inFlight: 1,
    });
    const opened = Date.parse((mine as SessionView).openedAt);
    expect(opened).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse((mine as SessionView).lastActive)).toBeGreaterThan(opened);

    for (const go of waiting) go();
    waiting = [];
    await call;
    const after = (await list()).find((s) => s.id === sessionOf(client));
    expect(after).toMatchObject({ calls: 3, inFlight: 0 });
  });

  it("bounds a client's self-declared name and version (untrusted input)", async () => {
    const res = await fetch(srv.url, {
      method: 'POST',
      headers: mcpHeaders(srv.secrets.other as string),
      body: JSON.stringify({
        ...INIT_BODY,
        params: {
          ...INIT_BODY.params,
          clientInfo: { name: `evil\n${'x'.repeat(500)}`, version: 'v'.repeat(200) },
        },
      }),
    });
    expect(res.status).toBe(200);
    const id = res.headers.get('mcp-session-id') as string;
    const seen = (await list()).find((s) => s.id === id);
    expect(seen?.token).toBe('other');
    expect(seen?.client?.name).toBe(`evil\n${'x'.repeat(95)}`);
    expect(seen?.client?.version).toBe('v'.repeat(50));
    expect(seen?.calls).toBe(0);
  });
});

describe('DELETE /api/sessions/ID', () => {
  it('closes the session: its call in flight is answered "session closed", its next request gets 404; audited by tag', async () => {
    const client = await srv.connect('agent');
    const id = sessionOf(client);
    held = 0;
    const call = client.callTool({ name: 'test_hold', arguments: {} }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    for (let i = 0; i < 200 && held < 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(held).toBe(1);

    const closed = await srv.admin('DELETE', `/api/sessions/${id}`, undefined, {
      'X-Unraid-MCP-Actor': 'cli',
    });
    expect(closed.status).toBe(200);
    expect(closed.json.session).toMatchObject({ id, token: 'agent', calls: 1, inFlight: 1 });
    expect((await call)?.message).toMatch(/The session was closed while this request was still running/);
    const err = (await client.ping().then(
      () => null,
      (e: unknown) => e,
    )) as { code?: number } | null;
    expect(err?.code).toBe(404);
    expect((await list()).map((s) => s.id)).not.toContain(id);

    const event = (await readAudit(srv.env.auditDir)).find((r) => r.event === 'admin.session_closed');
    expect(event).toMatchObject({
      principal: 'cli',
      details: {
        session: tagOf(id),
        openedBy: 'agent',
        client: { name: 'vitest', version: '1.0.0' },
        calls: 1,
      },
    });
    // The id itself is a bearer of the session: it is written neither to the audit log nor the log.
    expect(await readFile(join(srv.env.auditDir, 'audit.jsonl'), 'utf8')).not.toContain(id);
    expect(logLines.join('')).not.toContain(id);
    const line = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.session === tagOf(id));
    expect(line).toMatchObject({
      msg: 'session closed',
      principal: 'agent',
      why: 'closed by the owner (cli)',
    });

    // Closing it again, or an id that never existed: 404 with a clear message.
    const again = await srv.admin('DELETE', `/api/sessions/${id}`);
    expect(again.status).toBe(404);
    expect(again.json).toEqual({
      error: `No open session with id "${id}": it was closed already, or never existed. List the open ones with GET /api/sessions (unraid-mcp sessions list).`,
      problems: [],
    });
    const long = await srv.admin('DELETE', `/api/sessions/${'z'.repeat(300)}`);
    expect(long.status).toBe(404);
    expect(long.json.error).toContain(`"${'z'.repeat(100)}"`);
    expect(long.json.error).not.toContain('z'.repeat(101));
  });
});
