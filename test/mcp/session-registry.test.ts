import { describe, expect, it } from 'vitest';
import type { Server } from '@modelcontextprotocol/server';
import { SessionRegistry } from '../../server/mcp/session-registry.js';
import type { SessionTransport } from '../../server/mcp/session-transport.js';
import { silentLogger } from '../../server/log.js';
import { startTestServer, mcpHeaders, INIT_BODY } from '../helpers/start-server.js';
import { testTools } from '../helpers/test-tools.js';

function registry(now: { t: number }, live = new Set(['tokA', 'tokB'])) {
  const closed: string[] = [];
  const reg = new SessionRegistry({
    limits: () => ({ maxTotal: 3, maxPerToken: 2, idleMs: 60_000 }),
    currentPrincipal: (id) => (live.has(id) ? { name: id, scope: 'read', tokenId: id } : null),
    toolsKey: (p) => p.scope,
    log: silentLogger,
    onCountChange: () => {},
    now: () => now.t,
  });
  const add = (id: string, tokenId: string) =>
    reg.add({
      id,
      tokenId,
      who: { current: { name: tokenId, scope: 'read' as const, tokenId } },
      transport: {} as SessionTransport,
      server: { close: async () => void closed.push(id) } as unknown as Server,
    });
  return { reg, add, closed, live };
}

describe('SessionRegistry', () => {
  it('caps sessions per token (429) and in total (503)', () => {
    const { reg, add } = registry({ t: 0 });
    add('s1', 'tokA');
    add('s2', 'tokA');
    expect(reg.capacityProblem('tokA')?.status).toBe(429);
    expect(reg.capacityProblem('tokB')).toBeNull();
    add('s3', 'tokB');
    expect(reg.capacityProblem('tokB')?.status).toBe(503);
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

  it('closes sessions of a revoked token and hides sessions from other tokens', async () => {
    const { reg, add, closed, live } = registry({ t: 0 });
    add('a', 'tokA');
    add('b', 'tokB');
    expect(reg.get('a', 'tokB')).toBeUndefined();
    live.delete('tokA');
    await reg.sweep();
    expect(closed).toEqual(['a']);
  });
});

describe('session limits over HTTP', () => {
  it('refuses a third session for a token limited to two with 429', async () => {
    const srv = await startTestServer({ tools: testTools, settingsCfg: 'MAX_SESSIONS_PER_TOKEN="2"\n' });
    try {
      const open = () =>
        fetch(srv.url, {
          method: 'POST',
          headers: mcpHeaders(srv.secrets.test as string),
          body: JSON.stringify(INIT_BODY),
        });
      expect((await open()).status).toBe(200);
      expect((await open()).status).toBe(200);
      const third = await open();
      expect(third.status).toBe(429);
      expect(((await third.json()) as { error: { message: string } }).error.message).toMatch(
        /already has 2 open sessions \(limit 2\)/,
      );
    } finally {
      await srv.close();
    }
  });
});
