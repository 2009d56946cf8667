import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { safetyTools, testSlow } from '../../helpers/test-tools.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';
import { onTarget, waitForPending } from '../../helpers/confirm-flow.js';
import { connectV2, ERA_MODES, modeName, type EraMode } from '../../helpers/v2-client.js';

/**
 * The SDK v2 client in its three modes against the real sidecar: a plain 2025 client (legacy), a
 * negotiating one (auto: server/discover, then 2026-07-28) and a pinned 2026-07-28 one. Everything a
 * user relies on works the same in each: listing, reading, a token-confirmed write, progress, an
 * approval decided by the owner through the admin API, and the audit log.
 */
const td = testDocker();
let srv: TestServer;
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const tokenOf = (r: CallToolResult) => (r._meta?.['unraid-mcp/confirmation'] as { token: string }).token;

beforeAll(async () => {
  for (const name of ['era-legacy', 'era-auto', 'era-pin', 'slowpoke']) await td.createContainer(name);
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: [...safetyTools, testSlow],
    settingsCfg: 'APPROVAL_WAIT_SECONDS="20"\n',
  });
});
afterAll(async () => {
  await srv.close();
  await td.cleanup();
});

const container = (mode: EraMode) => `era-${typeof mode === 'string' ? mode : 'pin'}`;
const expectedVersion = (mode: EraMode) => (mode === 'legacy' ? '2025-11-25' : '2026-07-28');

describe.each(ERA_MODES.map((mode) => [modeName(mode), mode] as const))('SDK v2 client, %s', (_, mode) => {
  it('negotiates its era, lists (with cache hints on 2026-07-28 only) and reads', async () => {
    const client = await connectV2(srv, { mode });
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe(expectedVersion(mode));
      const list = await client.listTools();
      expect(list.tools.map((t) => t.name).sort()).toEqual(
        ['test_echo', 'test_list_containers', 'test_remove', 'test_slow', 'test_start', 'test_stop'].sort(),
      );
      const hints = list as { ttlMs?: number; cacheScope?: string };
      if (mode === 'legacy') expect(hints).not.toHaveProperty('ttlMs');
      else
        expect({ ttlMs: hints.ttlMs, cacheScope: hints.cacheScope }).toEqual({
          ttlMs: 60_000,
          cacheScope: 'private',
        });
      const echo = await client.callTool({
        name: 'test_echo',
        arguments: { message: 'hi' },
      });
      expect(echo.structuredContent).toEqual({ message: 'hi' });
    } finally {
      await client.close();
    }
  });

  it('a token-confirmed write does nothing first, then acts once with the token', async () => {
    const client = await connectV2(srv, { mode });
    try {
      const args = { id: container(mode), timeout: 3 };
      const first = await client.callTool({ name: 'test_stop', arguments: args });
      expect(first.isError).toBe(true);
      expect(text(first)).toMatch(/^Confirmation needed — nothing was done yet\./);
      const token = tokenOf(first);
      const done = await client.callTool({
        name: 'test_stop',
        arguments: { ...args, confirmation_token: token },
      });
      expect(done.structuredContent).toMatchObject({ acted: `stopped ${container(mode)}` });
      const again = await client.callTool({
        name: 'test_stop',
        arguments: { ...args, confirmation_token: token },
      });
      expect(text(again)).toMatch(/was already used/);
      const outcomes = (await readAudit(srv.env.auditDir)).filter(
        (r) => r.stage === 'outcome' && r.tool === 'test_stop' && r.client?.version === '2.0.0',
      );
      expect(outcomes.slice(-3).map((r) => r.confirmation?.outcome)).toEqual([
        'token_issued',
        'token_confirmed',
        'token_replayed',
      ]);
    } finally {
      await client.close();
    }
  });

  it('sends progress during a long call', async () => {
    const client = await connectV2(srv, { mode });
    try {
      const progress: string[] = [];
      const res = await client.callTool(
        { name: 'test_slow', arguments: { steps: 3, delayMs: 20 } },
        { onprogress: (p) => progress.push(p.message ?? '') },
      );
      expect(res.structuredContent).toEqual({ done: 3 });
      expect(progress).toEqual(['step 1 of 3', 'step 2 of 3', 'step 3 of 3']);
    } finally {
      await client.close();
    }
  });

  it("waits for the owner's approval through the admin API, with progress, and acts once approved", async () => {
    const client = await connectV2(srv, { mode });
    try {
      const name = container(mode);
      const progress: string[] = [];
      const call = client.callTool(
        { name: 'test_remove', arguments: { id: name } },
        { onprogress: (p) => progress.push(p.message ?? ''), timeout: 30_000 },
      );
      const pending = (await waitForPending(srv, onTarget(name))).id;
      expect((await srv.admin('POST', `/api/confirmations/${pending}/approve`, {})).status).toBe(200);
      const res = await call;
      expect(res.structuredContent).toMatchObject({ acted: `removed ${name}` });
      expect(progress[0]).toBe(
        `Waiting for the owner to approve confirmation ${pending} (on the server: unraid-mcp confirm approve ${pending} — or in the Unraid WebGUI, Settings → unraid-mcp)`,
      );
    } finally {
      await client.close();
    }
  });
});
