import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { safetyTools } from '../../helpers/test-tools.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';
import { onTarget, waitForPending } from '../../helpers/confirm-flow.js';

/** `approve` mode over real HTTP: the MCP call waits while the owner decides through the admin API. */
const td = testDocker();
let srv: TestServer;
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const docker = () => ({ DOCKER_HOST: `unix://${inject('dockerSocket')}` });

beforeAll(async () => {
  for (const name of ['ap-web', 'ap-db']) await td.createContainer(name);
  srv = await startTestServer({
    env: docker(),
    tools: safetyTools,
    settingsCfg: 'APPROVAL_WAIT_SECONDS="5"\n',
  });
});
afterAll(async () => {
  await srv.close();
  await td.cleanup();
});

describe('approval by the owner', () => {
  it('waits with progress notifications and completes when the owner approves', async () => {
    const client = await srv.connect();
    const progress: string[] = [];
    const call = client.callTool({ name: 'test_remove', arguments: { id: 'ap-web' } }, undefined, {
      onprogress: (p) => progress.push(p.message ?? ''),
      timeout: 20_000,
    });
    const pending = await waitForPending(srv, onTarget('ap-web'));
    expect(pending).toMatchObject({
      principal: 'test',
      description: expect.stringContaining('Remove (test) on container "ap-web"'),
    });
    const approved = await srv.admin('POST', `/api/confirmations/${pending.id}/approve`, {});
    expect(approved.status).toBe(200);
    const res = (await call) as CallToolResult;
    expect(res.structuredContent).toMatchObject({ acted: 'removed ap-web' });
    expect(progress[0]).toBe(
      `Waiting for the owner to approve confirmation ${pending.id} (on the server: unraid-mcp confirm approve ${pending.id} — or in the Unraid WebGUI, Settings → unraid-mcp)`,
    );
  });

  it("returns the denial with the owner's reason", async () => {
    const client = await srv.connect();
    const call = client.callTool({ name: 'test_remove', arguments: { id: 'ap-db' } });
    const pending = await waitForPending(srv, onTarget('ap-db'));
    await srv.admin(
      'POST',
      `/api/confirmations/${pending.id}/deny`,
      { reason: 'that is the database' },
      { 'X-Unraid-MCP-Actor': 'cli' },
    );
    expect(text((await call) as CallToolResult)).toBe(
      'The owner denied this action (that is the database). Nothing was done.',
    );
    const events = (await readAudit(srv.env.auditDir)).filter((r) => r.event === 'confirmation.denied');
    expect(events.at(-1)).toMatchObject({
      principal: 'cli',
      details: { id: pending.id, requestedBy: 'test', reason: 'that is the database' },
    });
  });

  it(
    'on timeout returns a pending id; a later call with it completes once approved, and only for the same action',
    { timeout: 30_000 },
    async () => {
      const client = await srv.connect();
      const first = (await client.callTool({
        name: 'test_remove',
        arguments: { id: 'ap-web' },
      })) as CallToolResult;
      const meta = first._meta?.['unraid-mcp/confirmation'] as { confirmationId: string; status: string };
      expect(meta.status).toBe('pending');
      expect(text(first)).toMatch(/^Waiting for the owner's approval — nothing was done yet\./);
      await srv.admin('POST', `/api/confirmations/${meta.confirmationId}/approve`, {});
      const wrong = (await client.callTool({
        name: 'test_remove',
        arguments: { id: 'ap-db', confirmation_id: meta.confirmationId },
      })) as CallToolResult;
      expect(text(wrong)).toBe(
        `Confirmation ${meta.confirmationId} was given for a different action. Nothing was done. Call test_remove without confirmation_id to ask again.`,
      );
      const done = (await client.callTool({
        name: 'test_remove',
        arguments: { id: 'ap-web', confirmation_id: meta.confirmationId },
      })) as CallToolResult;
      expect(done.structuredContent).toMatchObject({ acted: 'removed ap-web' });
      const again = (await client.callTool({
        name: 'test_remove',
        arguments: { id: 'ap-web', confirmation_id: meta.confirmationId },
      })) as CallToolResult;
      // Used once: a second call gets that call's answer back, said to be a replay; nothing runs again.
      expect(text(again)).toMatch(
        new RegExp(
          `^This action was already carried out at \\S+ \\(confirmation ${meta.confirmationId}, approved by webgui\\); here is what it answered then\\. Nothing was done again\\.$`,
        ),
      );
      expect(again.structuredContent).toEqual(done.structuredContent);
      expect(again._meta?.['unraid-mcp/confirmation']).toMatchObject({ status: 'done' });
      const outcomes = (await readAudit(srv.env.auditDir)).filter(
        (r) =>
          r.stage === 'outcome' &&
          (r.confirmation as { id?: string } | undefined)?.id === meta.confirmationId,
      );
      expect(outcomes.map((r) => r.confirmation?.outcome)).toEqual([
        'pending',
        'mismatch',
        'approved',
        'outcome_returned',
      ]);
    },
  );

  it(
    'outlives a client that stopped waiting: the approved action runs once, and the retry gets its recorded answer',
    { timeout: 30_000 },
    async () => {
      // A 2025 client whose request died without a cancellation (its HTTP request aborted): the call
      // goes on waiting on the server, and carries the action out when the owner approves.
      const client = await srv.connect();
      const sessionId = (client.transport as { sessionId?: string }).sessionId as string;
      const gone = new AbortController();
      const abandoned = fetch(srv.url, {
        method: 'POST',
        signal: gone.signal,
        headers: {
          Authorization: `Bearer ${srv.secrets.test}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          'Mcp-Session-Id': sessionId,
          'MCP-Protocol-Version': '2025-11-25',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 'abandoned',
          method: 'tools/call',
          params: { name: 'test_remove', arguments: { id: 'ap-db' } },
        }),
      }).catch(() => null);
      const pending = await waitForPending(srv, onTarget('ap-db'));
      gone.abort();
      await abandoned;
      await srv.admin('POST', `/api/confirmations/${pending.id}/approve`, {});
      // The waiting call uses the approval and records what the action answered.
      for (let i = 0; i < 100; i++) {
        const entry = (await srv.admin('GET', '/api/confirmations')).json.confirmations.find(
          (c: { id: string }) => c.id === pending.id,
        ) as { status: string; outcome: unknown };
        if (entry.status === 'used' && entry.outcome) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const retry = (await client.callTool({
        name: 'test_remove',
        arguments: { id: 'ap-db', confirmation_id: pending.id },
      })) as CallToolResult;
      expect(retry.isError ?? false).toBe(false);
      expect(text(retry)).toMatch(/^This action was already carried out at .*Nothing was done again\.$/);
      expect(retry.structuredContent).toMatchObject({ acted: 'removed ap-db' });
      const ran = (await readAudit(srv.env.auditDir)).filter(
        (r) =>
          r.stage === 'outcome' &&
          (r.confirmation as { id?: string } | undefined)?.id === pending.id &&
          r.confirmation?.outcome === 'approved',
      );
      expect(ran).toHaveLength(1);
    },
  );

  it('an elicitation decline cancels before anything is queued for the owner', async () => {
    const client = await srv.connect('test', { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'decline' }));
    const before = (await srv.admin('GET', '/api/confirmations')).json.confirmations.length as number;
    const res = (await client.callTool({
      name: 'test_remove',
      arguments: { id: 'ap-web' },
    })) as CallToolResult;
    expect(text(res)).toBe('The user declined this action when asked. Nothing was done.');
    expect((await srv.admin('GET', '/api/confirmations')).json.confirmations).toHaveLength(before);
  });

  it('an elicitation accept still needs the owner (it never replaces the server-side rule)', async () => {
    const client = await srv.connect('test', { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { confirm: true } }));
    const call = client.callTool({ name: 'test_remove', arguments: { id: 'ap-db' } });
    const pending = await waitForPending(srv, onTarget('ap-db'));
    await srv.admin('POST', `/api/confirmations/${pending.id}/approve`, {});
    expect(((await call) as CallToolResult).structuredContent).toMatchObject({ acted: 'removed ap-db' });
  });
});

describe('pending approvals across a restart', () => {
  it('survive the sidecar restarting and complete afterwards', { timeout: 30_000 }, async () => {
    const root = await mkdtemp(join(tmpdir(), 'umcp-restart-'));
    const one = await startTestServer({
      root,
      env: docker(),
      tools: safetyTools,
      settingsCfg: 'APPROVAL_WAIT_SECONDS="5"\n',
    });
    const secret = one.secrets.test as string;
    const first = (await (
      await one.connect()
    ).callTool({ name: 'test_remove', arguments: { id: 'ap-web' } })) as CallToolResult;
    const id = (first._meta?.['unraid-mcp/confirmation'] as { confirmationId: string }).confirmationId;
    await one.close();

    const two = await startTestServer({ root, env: docker(), tools: safetyTools });
    try {
      const listed = (await two.admin('GET', '/api/confirmations')).json.confirmations as Array<{
        id: string;
        status: string;
      }>;
      expect(listed.find((c) => c.id === id)?.status).toBe('pending');
      await two.admin('POST', `/api/confirmations/${id}/approve`, {});
      const res = (await (
        await two.connect(secret)
      ).callTool({
        name: 'test_remove',
        arguments: { id: 'ap-web', confirmation_id: id },
      })) as CallToolResult;
      expect(res.structuredContent).toMatchObject({ acted: 'removed ap-web' });
    } finally {
      await two.close();
    }
  });
});
