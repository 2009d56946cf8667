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

/** Polls the admin API until a pending confirmation for `name` shows up. */
async function pendingFor(
  s: TestServer,
  name: string,
): Promise<{ id: string; description: string; principal: string }> {
  for (let i = 0; i < 100; i++) {
    const { json } = await s.admin('GET', '/api/confirmations');
    const found = (
      json.confirmations as Array<{
        id: string;
        status: string;
        target: { name: string } | null;
        description: string;
        principal: string;
      }>
    ).find((c) => c.status === 'pending' && c.target?.name === name);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no pending confirmation for ${name}`);
}

describe('approval by the owner', () => {
  it('waits with progress notifications and completes when the owner approves', async () => {
    const client = await srv.connect();
    const progress: string[] = [];
    const call = client.callTool({ name: 'test_remove', arguments: { id: 'ap-web' } }, undefined, {
      onprogress: (p) => progress.push(p.message ?? ''),
      timeout: 20_000,
    });
    const pending = await pendingFor(srv, 'ap-web');
    expect(pending).toMatchObject({
      principal: 'test',
      description: expect.stringContaining('Remove (test) on container "ap-web"'),
    });
    const approved = await srv.admin('POST', `/api/confirmations/${pending.id}/approve`, {});
    expect(approved.status).toBe(200);
    const res = (await call) as CallToolResult;
    expect(res.structuredContent).toMatchObject({ acted: 'removed ap-web' });
    expect(progress[0]).toBe(
      `Waiting for the owner to approve in Settings → unraid-mcp (confirmation ${pending.id})`,
    );
  });

  it("returns the denial with the owner's reason", async () => {
    const client = await srv.connect();
    const call = client.callTool({ name: 'test_remove', arguments: { id: 'ap-db' } });
    const pending = await pendingFor(srv, 'ap-db');
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
      expect(text(again)).toMatch(/was already used — an approval works once/);
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
    const pending = await pendingFor(srv, 'ap-db');
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
