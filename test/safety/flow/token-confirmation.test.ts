import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { safetyTools } from '../../helpers/test-tools.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';

/** `token` mode over real HTTP: the first call does nothing and returns a single-use token bound to the action. */
const td = testDocker();
let srv: TestServer;
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const tokenOf = (r: CallToolResult) => (r._meta?.['unraid-mcp/confirmation'] as { token: string }).token;

beforeAll(async () => {
  for (const name of ['tk-web', 'tk-other']) await td.createContainer(name);
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: safetyTools,
    tokens: [
      { name: 'agent', scope: 'operate' },
      { name: 'other-agent', scope: 'operate' },
    ],
  });
});
afterAll(async () => {
  await srv.close();
  await td.cleanup();
});

async function firstCall(client: Client, args: Record<string, unknown>) {
  const res = (await client.callTool({ name: 'test_stop', arguments: args })) as CallToolResult;
  expect(res.isError).toBe(true);
  return { res, token: tokenOf(res) };
}

describe('token confirmation', () => {
  it('first call describes exactly what would happen and acts only with the token, once', async () => {
    const client = await srv.connect('agent');
    const { res, token } = await firstCall(client, { id: 'tk-web', timeout: 5 });
    expect(text(res)).toMatch(
      /^Confirmation needed — nothing was done yet\. This call would: Stop container "tk-web", killing it after 5 s\.\n/,
    );
    expect(text(res)).toContain(`"confirmation_token": "${token}"`);
    const ok = (await client.callTool({
      name: 'test_stop',
      arguments: { id: 'tk-web', timeout: 5, confirmation_token: token },
    })) as CallToolResult;
    expect(ok.structuredContent).toMatchObject({ acted: 'stopped tk-web' });
    const replay = (await client.callTool({
      name: 'test_stop',
      arguments: { id: 'tk-web', timeout: 5, confirmation_token: token },
    })) as CallToolResult;
    expect(text(replay)).toBe(
      'The confirmation_token was already used — a confirmation token works once. Nothing was done. Call test_stop without confirmation_token to get a new one.',
    );
  });

  it.each([
    ['another target', { id: 'tk-other', timeout: 5 }, 'target'],
    ['other arguments', { id: 'tk-web', timeout: 9 }, 'arguments'],
  ])('refuses the token for %s', async (_what, args, field) => {
    const client = await srv.connect('agent');
    const { token } = await firstCall(client, { id: 'tk-web', timeout: 5 });
    const res = (await client.callTool({
      name: 'test_stop',
      arguments: { ...args, confirmation_token: token },
    })) as CallToolResult;
    expect(text(res)).toBe(
      `The confirmation_token was issued for a different action (the ${field} differs) and is now void. Nothing was done. Call test_stop without confirmation_token to get a new one.`,
    );
  });

  it('refuses the token from another token-holder (principal)', async () => {
    const { token } = await firstCall(await srv.connect('agent'), { id: 'tk-web', timeout: 5 });
    const res = (await (
      await srv.connect('other-agent')
    ).callTool({
      name: 'test_stop',
      arguments: { id: 'tk-web', timeout: 5, confirmation_token: token },
    })) as CallToolResult;
    expect(text(res)).toMatch(/different action \(the caller differs\)/);
  });

  it('refuses a token the server never issued', async () => {
    const client = await srv.connect('agent');
    const res = (await client.callTool({
      name: 'test_stop',
      arguments: { id: 'tk-web', timeout: 5, confirmation_token: 'ct_made_up' },
    })) as CallToolResult;
    expect(text(res)).toMatch(/^The confirmation_token is not a valid confirmation token\./);
  });

  it('audits the prompt, the refusals and the confirmed action', async () => {
    const records = await readAudit(srv.env.auditDir);
    const events = records
      .filter((r) => r.stage === 'event' && r.tool === 'test_stop')
      .map((r) => [r.event, r.details?.reason ?? null]);
    expect(events).toEqual(
      expect.arrayContaining([
        ['confirmation.token_issued', null],
        ['confirmation.token_rejected', 'replayed'],
        ['confirmation.token_rejected', 'mismatch'],
        ['confirmation.token_rejected', 'unknown'],
      ]),
    );
    const done = records.filter(
      (r) => r.stage === 'outcome' && r.tool === 'test_stop' && r.result?.status === 'ok',
    );
    expect(done[0]?.confirmation).toEqual({ mode: 'token', outcome: 'token_confirmed' });
    expect(JSON.stringify(records)).not.toMatch(/"confirmation_token":"ct_/);
  });
});

describe('token confirmation with elicitation', () => {
  async function elicitingClient(answer: 'accept' | 'decline', seen: string[]) {
    const client = await srv.connect('agent', { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, (req) => {
      seen.push(req.params.message);
      return answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
    });
    return client;
  }

  it('asks the user when the token comes back; acceptance lets it run', async () => {
    const seen: string[] = [];
    const client = await elicitingClient('accept', seen);
    const { token } = await firstCall(client, { id: 'tk-web', timeout: 5 });
    expect(seen).toEqual([]);
    const ok = (await client.callTool({
      name: 'test_stop',
      arguments: { id: 'tk-web', timeout: 5, confirmation_token: token },
    })) as CallToolResult;
    expect(ok.structuredContent).toMatchObject({ acted: 'stopped tk-web' });
    expect(seen).toEqual(['Allow this action? Stop container "tk-web", killing it after 5 s.']);
  });

  it('a decline cancels even with a valid token', async () => {
    const client = await elicitingClient('decline', []);
    const { token } = await firstCall(client, { id: 'tk-web', timeout: 5 });
    const res = (await client.callTool({
      name: 'test_stop',
      arguments: { id: 'tk-web', timeout: 5, confirmation_token: token },
    })) as CallToolResult;
    expect(text(res)).toBe('The user declined this action when asked. Nothing was done.');
  });
});
