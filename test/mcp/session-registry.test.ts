import { describe, expect, it } from 'vitest';
import type { Server } from '@modelcontextprotocol/server';
import { BUSY_RETRY_AFTER_SECONDS, SessionRegistry, sessionTag } from '../../server/mcp/session-registry.js';
import type { SessionTransport } from '../../server/mcp/session-transport.js';
import { silentLogger } from '../../server/log.js';
import { startTestServer, mcpHeaders, INIT_BODY } from '../helpers/start-server.js';
import { testTools } from '../helpers/test-tools.js';

function registry(
  now: { t: number },
  live = new Set(['tokA', 'tokB']),
  limits = { maxTotal: 3, maxPerToken: 2 },
) {
  const closed: string[] = [];
  const logged: Array<Record<string, unknown>> = [];
  const transports = new Map<string, { inFlight: number }>();
  const reg = new SessionRegistry({
    limits: () => ({ ...limits, idleMs: 60_000 }),
    currentPrincipal: (id) => (live.has(id) ? { name: id, scope: 'read', tokenId: id } : null),
    toolsKey: (p) => p.scope,
    log: { ...silentLogger, info: (_m, f) => void logged.push(f ?? {}) },
    onCountChange: () => {},
    now: () => now.t,
  });
  const add = (id: string, tokenId: string) => {
    const transport = { inFlight: 0 };
    transports.set(id, transport);
    reg.add({
      id,
      tokenId,
      who: { current: { name: tokenId, scope: 'read' as const, tokenId } },
      transport: transport as unknown as SessionTransport,
      server: {
        close: async () => void closed.push(id),
        getClientVersion: () => ({ name: `client-${id}`, version: '1.2.3' }),
      } as unknown as Server,
    });
  };
  const busy = (id: string, n = 1) => ((transports.get(id) as { inFlight: number }).inFlight = n);
  return { reg, add, closed, live, busy, logged };
}

describe('SessionRegistry', () => {
  it('at the per-token limit closes the least recently used idle session of that token, never a busy one', async () => {
    const now = { t: 0 };
    const { reg, add, closed, busy } = registry(now, undefined, { maxTotal: 10, maxPerToken: 3 });
    add('a1', 'tokA');
    now.t = 1;
    add('a2', 'tokA');
    now.t = 2;
    add('a3', 'tokA');
    now.t = 3;
    add('b1', 'tokB');
    busy('a1'); // the least recently used, but a call is in flight
    now.t = 4;
    reg.get('a2', 'tokA'); // now more recent than a3
    expect(await reg.makeRoom('tokA')).toBeNull();
    expect(closed).toEqual(['a3']);
    expect(reg.list().map((s) => s.id)).toEqual(['a1', 'a2', 'b1']);
    // tokB has room: nothing is closed for it.
    expect(await reg.makeRoom('tokB')).toBeNull();
    expect(closed).toEqual(['a3']);
  });

  it('refuses with 429 and a retry time, closing nothing, when every session of the token is busy', async () => {
    const { reg, add, closed, busy } = registry({ t: 0 });
    add('a1', 'tokA');
    add('a2', 'tokA');
    busy('a1');
    busy('a2', 3);
    const problem = await reg.makeRoom('tokA');
    expect(problem).toMatchObject({ status: 429, retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS });
    expect(problem?.message).toMatch(
      /^This token has 2 open sessions \(limit 2\) and every one has a request in progress/,
    );
    expect(closed).toEqual([]);
    expect(reg.size).toBe(2);
  });

  it('at the total limit closes the least recently used idle session of any token; 503 when all are busy', async () => {
    const now = { t: 0 };
    const { reg, add, closed, busy } = registry(now, undefined, { maxTotal: 3, maxPerToken: 16 });
    add('b1', 'tokB');
    now.t = 1;
    add('a1', 'tokA');
    now.t = 2;
    add('a2', 'tokA');
    expect(await reg.makeRoom('tokA')).toBeNull();
    expect(closed).toEqual(['b1']);
    add('a3', 'tokA');
    for (const id of ['a1', 'a2', 'a3']) busy(id);
    const problem = await reg.makeRoom('tokB');
    expect(problem).toMatchObject({ status: 503, retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS });
    expect(problem?.message).toMatch(/^The server has 3 open sessions \(limit 3\) and every one/);
    expect(closed).toEqual(['b1']);
  });

  it('closes nothing when the token limit could be met but the total limit cannot (limits lowered)', async () => {
    const limits = { maxTotal: 10, maxPerToken: 10 };
    const { reg, add, closed, busy } = registry({ t: 0 }, undefined, limits);
    add('a1', 'tokA');
    add('b1', 'tokB');
    add('b2', 'tokB');
    Object.assign(limits, { maxTotal: 2, maxPerToken: 1 }); // the owner lowered them since
    busy('b1');
    busy('b2');
    expect((await reg.makeRoom('tokA'))?.status).toBe(503);
    expect(closed).toEqual([]);
    expect(reg.size).toBe(3);
  });

  it('trims back to the limits when sessions opened side by side all found room', () => {
    const now = { t: 0 };
    const { reg, add, closed } = registry(now, undefined, { maxTotal: 10, maxPerToken: 2 });
    add('a1', 'tokA');
    now.t = 1;
    add('a2', 'tokA');
    now.t = 2;
    add('a3', 'tokA'); // as if its makeRoom had run before a2 was added
    expect(closed).toEqual(['a1']);
    expect(reg.list().map((s) => s.id)).toEqual(['a2', 'a3']);
  });

  it('lists sessions with token, client, times, calls and requests in flight; closes one by id', async () => {
    const now = { t: 1_000 };
    const { reg, add, closed, busy, logged } = registry(now);
    add('s1', 'tokA');
    now.t = 5_000;
    const s = reg.get('s1', 'tokA');
    if (!s) throw new Error('s1 missing');
    reg.recordCall(s);
    reg.recordCall(s);
    busy('s1');
    expect(reg.list()).toEqual([
      {
        id: 's1',
        tag: sessionTag('s1'),
        token: 'tokA',
        scope: 'read',
        client: { name: 'client-s1', version: '1.2.3' },
        openedAt: 1_000,
        lastActive: 5_000,
        calls: 2,
        inFlight: 1,
      },
    ]);
    expect(sessionTag('s1')).toMatch(/^[0-9a-f]{16}$/);
    expect(await reg.closeById('nope', 'test')).toBeNull();
    expect((await reg.closeById('s1', 'closed by the owner (cli)'))?.calls).toBe(2);
    expect(closed).toEqual(['s1']);
    expect(reg.size).toBe(0);
    // The log names the session by its tag, never its id.
    expect(logged).toEqual([
      { principal: 'tokA', session: sessionTag('s1'), why: 'closed by the owner (cli)' },
    ]);
  });

  it('expires idle sessions and keeps active ones', async () => {
    const now = { t: 0 };
    const { reg, add, closed } = registry(now);
    add('idle', 'tokA');
    add('busy', 'tokA');
    now.t = 50_000;
    reg.get('busy', 'tokA');
    now.t = 70_000;
    await reg.sweep();
    expect(closed).toEqual(['idle']);
    expect(reg.get('busy', 'tokA')).toBeDefined();
    expect(reg.size).toBe(1);
  });

  it('keeps a session whose request outlasts the idle time (an approval may wait long)', async () => {
    const now = { t: 0 };
    const { reg, add, closed, busy } = registry(now);
    add('waiting', 'tokA');
    busy('waiting');
    now.t = 70_000;
    await reg.sweep();
    expect(closed).toEqual([]);
    busy('waiting', 0);
    await reg.sweep();
    expect(closed).toEqual(['waiting']);
  });

  it('closes sessions of a revoked token and hides sessions from other tokens', async () => {
    const { reg, add, closed, live, busy } = registry({ t: 0 });
    add('a', 'tokA');
    add('b', 'tokB');
    busy('a'); // busy or not, a revoked token's session ends
    expect(reg.get('a', 'tokB')).toBeUndefined();
    live.delete('tokA');
    await reg.sweep();
    expect(closed).toEqual(['a']);
  });
});

describe('session limits over HTTP', () => {
  it('a third session for a token limited to two closes the least recently used idle one', async () => {
    const srv = await startTestServer({ tools: testTools, settingsCfg: 'MAX_SESSIONS_PER_TOKEN="2"\n' });
    try {
      const headers = mcpHeaders(srv.secrets.test as string);
      const open = async () => {
        const res = await fetch(srv.url, { method: 'POST', headers, body: JSON.stringify(INIT_BODY) });
        expect(res.status).toBe(200);
        await res.text();
        return res.headers.get('mcp-session-id') as string;
      };
      const ping = (id: string) =>
        fetch(srv.url, {
          method: 'POST',
          headers: { ...headers, 'Mcp-Session-Id': id },
          body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
        });
      const first = await open();
      const second = await open();
      await new Promise((r) => setTimeout(r, 5));
      expect((await ping(first)).status).toBe(200); // now the second is the least recently used
      const third = await open();
      expect(third).toMatch(/^[0-9a-f-]{36}$/);
      const gone = await ping(second);
      expect(gone.status).toBe(404);
      expect(((await gone.json()) as { error: { message: string } }).error.message).toMatch(
        /^Session not found/,
      );
      expect((await ping(first)).status).toBe(200);
      expect((await ping(third)).status).toBe(200);
      expect((await srv.admin('GET', '/api/status')).json.sessions).toMatchObject({ active: 2 });
    } finally {
      await srv.close();
    }
  });
});
