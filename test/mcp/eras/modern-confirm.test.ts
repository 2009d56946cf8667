import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { safetyTools } from '../../helpers/test-tools.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';
import { connectV2 } from '../../helpers/v2-client.js';
import { modernRequest, type ModernReply } from '../../helpers/modern-rpc.js';

/**
 * Confirmation questions on 2026-07-28: a multi round-trip request. The question comes back as
 * input_required with a signed requestState; the client asks its user and calls again with the
 * answer and the state, unchanged. A state that was altered, answered before, or issued for another
 * action is refused, audited, and nothing is done.
 */
const td = testDocker();
let srv: TestServer;
const PIN = { pin: '2026-07-28' } as const;
const ELICIT = { elicitation: { form: {} } };
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const tokenOf = (r: CallToolResult) => (r._meta?.['unraid-mcp/confirmation'] as { token: string }).token;
const ACCEPT = { confirm: { action: 'accept', content: { confirm: true } } };

beforeAll(async () => {
  for (const name of ['mr-a', 'mr-b', 'mr-c', 'mr-d']) await td.createContainer(name);
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: safetyTools,
    tokens: [
      { name: 'test', scope: 'admin' },
      { name: 'other', scope: 'admin' },
    ],
  });
});
afterAll(async () => {
  await srv.close();
  await td.cleanup();
});

/** A confirmation token for test_stop on `id`, from a first call. */
async function confirmationToken(id: string, token = 'test'): Promise<string> {
  const first = await modernRequest(srv, {
    method: 'tools/call',
    token,
    params: { name: 'test_stop', arguments: { id, timeout: 2 } },
  });
  return tokenOf(first.body.result as CallToolResult);
}

/** The call with its token, from a client that can ask its user: answered with the question. */
async function question(
  id: string,
  token = 'test',
): Promise<{ args: Record<string, unknown>; reply: ModernReply }> {
  const args = { id, timeout: 2, confirmation_token: await confirmationToken(id, token) };
  const reply = await modernRequest(srv, {
    method: 'tools/call',
    token,
    capabilities: ELICIT,
    params: { name: 'test_stop', arguments: args },
  });
  return { args, reply };
}

const retry = (args: Record<string, unknown>, requestState: string, token = 'test') =>
  modernRequest(srv, {
    method: 'tools/call',
    token,
    capabilities: ELICIT,
    params: { name: 'test_stop', arguments: args, inputResponses: ACCEPT, requestState },
  });

async function lastRejection(): Promise<Record<string, unknown> | undefined> {
  return (await readAudit(srv.env.auditDir))
    .filter((r) => r.event === 'confirmation.request_state_rejected')
    .at(-1)?.details;
}

describe('elicitation as a multi round-trip request (SDK v2 client, pinned)', () => {
  it('the user accepts: the question reaches the client, the retried call acts', async () => {
    const asked: string[] = [];
    const client = await connectV2(srv, { mode: PIN, capabilities: ELICIT });
    client.setRequestHandler('elicitation/create', (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { confirm: true } };
    });
    try {
      const first = await client.callTool({
        name: 'test_stop',
        arguments: { id: 'mr-a', timeout: 2 },
      });
      const done = await client.callTool({
        name: 'test_stop',
        arguments: { id: 'mr-a', timeout: 2, confirmation_token: tokenOf(first) },
      });
      expect(done.structuredContent).toMatchObject({ acted: 'stopped mr-a' });
      expect(asked).toEqual(['Allow this action? Stop container "mr-a", killing it after 2 s.']);
      const outcomes = (await readAudit(srv.env.auditDir)).filter(
        (r) => r.stage === 'outcome' && r.tool === 'test_stop',
      );
      expect(outcomes.slice(-3).map((r) => r.confirmation?.outcome)).toEqual([
        'token_issued',
        'elicitation_requested',
        'token_confirmed',
      ]);
    } finally {
      await client.close();
    }
  });

  it('the user declines: nothing is done, and the token was not spent on the question', async () => {
    const client = await connectV2(srv, { mode: PIN, capabilities: ELICIT });
    client.setRequestHandler('elicitation/create', () => ({ action: 'decline' }));
    try {
      const first = await client.callTool({
        name: 'test_stop',
        arguments: { id: 'mr-b', timeout: 2 },
      });
      const declined = await client.callTool({
        name: 'test_stop',
        arguments: { id: 'mr-b', timeout: 2, confirmation_token: tokenOf(first) },
      });
      expect(declined.isError).toBe(true);
      expect(text(declined)).toBe('The user declined this action when asked. Nothing was done.');
    } finally {
      await client.close();
    }
  });
});

describe('the requestState travels through the client and is checked when it comes back', () => {
  it('is an input_required answer with one form question and a signed, opaque state', async () => {
    const { reply } = await question('mr-c');
    expect(reply.status).toBe(200);
    const result = reply.body.result;
    expect(result.resultType).toBe('input_required');
    expect(result.inputRequests.confirm).toMatchObject({
      method: 'elicitation/create',
      params: { mode: 'form', message: 'Allow this action? Stop container "mr-c", killing it after 2 s.' },
    });
    expect(result.requestState).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
  });

  it('refuses a tampered state and audits it; the same call with the state as issued then acts', async () => {
    const { args, reply } = await question('mr-c');
    const state = reply.body.result.requestState as string;
    const [v, body, mac] = state.split('.') as [string, string, string];
    const forged = `${v}.${body}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    const refused = await retry(args, forged);
    expect(refused.body.result.isError).toBe(true);
    expect(text(refused.body.result)).toBe(
      'The requestState of this call was altered or is not one this server issued. Nothing was done. Call test_stop again without it to be asked afresh.',
    );
    expect(await lastRejection()).toEqual({ reason: 'tampered', field: null });
    const done = await retry(args, state);
    expect(done.body.result.structuredContent).toMatchObject({ acted: 'stopped mr-c' });
  });

  it('refuses a replayed state: a question is answered once', async () => {
    const { args, reply } = await question('mr-d');
    const state = reply.body.result.requestState as string;
    expect((await retry(args, state)).body.result.structuredContent).toMatchObject({ acted: 'stopped mr-d' });
    const replay = await retry({ ...args, confirmation_token: await confirmationToken('mr-d') }, state);
    expect(text(replay.body.result)).toMatch(/^The requestState of this call was already answered/);
    expect(await lastRejection()).toEqual({ reason: 'replayed', field: null });
  });

  it('refuses a state issued for another target, other arguments or another token', async () => {
    const a = await question('mr-a');
    const retargeted = await retry(
      { id: 'mr-b', timeout: 2, confirmation_token: await confirmationToken('mr-b') },
      a.reply.body.result.requestState as string,
    );
    expect(text(retargeted.body.result)).toMatch(
      /^The requestState of this call was asked about a different action/,
    );
    expect(await lastRejection()).toEqual({ reason: 'mismatch', field: 'target' });

    const b = await question('mr-b');
    const otherArgs = await retry(
      { ...b.args, timeout: 9, confirmation_token: await confirmationToken('mr-b') },
      b.reply.body.result.requestState as string,
    );
    expect(text(otherArgs.body.result)).toMatch(/was asked about a different action/);
    expect(await lastRejection()).toEqual({ reason: 'mismatch', field: 'argsHash' });

    const c = await question('mr-c');
    const stolen = await retry(
      { ...c.args, confirmation_token: await confirmationToken('mr-c', 'other') },
      c.reply.body.result.requestState as string,
      'other',
    );
    expect(text(stolen.body.result)).toMatch(/was asked about a different action/);
    expect(await lastRejection()).toEqual({ reason: 'mismatch', field: 'tokenId' });
  });

  it('refuses a state brought to a read-only tool, which never asks', async () => {
    const { reply } = await question('mr-a');
    const res = await modernRequest(srv, {
      method: 'tools/call',
      capabilities: ELICIT,
      params: {
        name: 'test_echo',
        arguments: { message: 'x' },
        inputResponses: ACCEPT,
        requestState: reply.body.result.requestState,
      },
    });
    expect(text(res.body.result)).toMatch(
      /^The requestState of this call belongs to no question this tool asks/,
    );
    expect(await lastRejection()).toEqual({ reason: 'unexpected', field: null });
  });
});
