import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { confirm } from '../../../server/mcp/pipeline/confirm.js';
import { ALLOWED } from '../../../server/mcp/pipeline/tool-call.js';
import { PolicyDeniedError } from '../../../server/errors/policy-denied-error.js';
import { ToolError } from '../../../server/errors/tool-error.js';
import { argsHash } from '../../../server/safety/confirm/args-hash.js';
import type { PendingConfirmation } from '../../../server/safety/confirm/pending-approvals.js';
import { defineTool } from '../../../server/tools/define-tool.js';
import type { ResolvedTarget } from '../../../server/vocabulary.js';
import { testEcho, testRemove, testStart, testStop } from '../../helpers/test-tools.js';
import {
  ADMIN,
  CLIENT,
  OPERATOR,
  PLEX,
  SESSION,
  VAULT,
  nextStub,
  refusalOf,
  testCall,
  testEnv,
  unreachable,
  type TestCallOptions,
  type TestEnv,
} from '../../helpers/pipeline-call.js';

const ok = { content: [] };
const targetOf = (t: ResolvedTarget) => ({ kind: t.kind, ref: t.name, id: t.id, name: t.name });
const textOf = (r: { content: unknown[] } | undefined) => (r?.content[0] as { text: string }).text;
const tokenOf = (r: { _meta?: Record<string, unknown> } | undefined) =>
  (r?._meta?.['unraid-mcp/confirmation'] as { token: string }).token;

/** A call to stop plex (or `resolved`), as the steps before confirm leave it. */
const stopCall = (opts: TestCallOptions = {}) => {
  const resolved = opts.resolved ?? PLEX;
  return testCall(testStop, {
    args: { id: resolved.name, timeout: 10 },
    target: targetOf(resolved),
    ...opts,
    resolved,
  });
};

/** Runs a first token-mode call and returns the token it was issued. */
async function issueToken(env: TestEnv, opts: TestCallOptions = {}): Promise<string> {
  const r = await refusalOf(confirm(unreachable())(stopCall({ env, ...opts })));
  return tokenOf(r.result);
}

/** A writing tool without its own describe, with a secret among its arguments. */
const secretTool = defineTool({
  name: 'test_set_secret',
  title: 'Set secret (test)',
  description: 'Pretends to set a container secret.',
  toolset: 'docker',
  scope: 'operate',
  confirm: 'token',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: z.object({ id: z.string(), password: z.string() }).strict(),
  output: z.object({ done: z.boolean() }),
  target: ({ id }) => ({ kind: 'container', ref: id }),
  run: async () => ({ done: true }),
});

describe('confirm: tools that need none', () => {
  it('passes read tools straight on, without describing them or recording a confirmation', async () => {
    let described = 0;
    const readWithDescribe = defineTool({ ...testEcho, describe: () => `${++described}` });
    const next = nextStub(() => ok);
    const call = testCall(readWithDescribe, { args: { message: 'hi' } });
    expect(await confirm(next)(call)).toBe(ok);
    expect(next.calls[0]).toBe(call);
    expect(described).toBe(0);
    expect(call.confirmation).toBeUndefined();
    expect(call.env.audit.records).toEqual([]);
  });

  it('lets a writing tool in none mode through, recording mode none / not_required and no event', async () => {
    const next = nextStub(() => ok);
    const call = testCall(testStart, { args: { id: 'plex' }, resolved: PLEX, target: targetOf(PLEX) });
    expect(await confirm(next)(call)).toBe(ok);
    expect(next.calls).toHaveLength(1);
    expect(call.confirmation).toEqual({ mode: 'none', outcome: 'not_required' });
    expect(call.env.audit.records).toEqual([]);
    expect(call.env.confirmations.tokens.size).toBe(0);
  });

  it("follows the owner's per-tool override of the tool's default mode, from the call's settings", async () => {
    const next = nextStub(() => ok);
    const relaxed = stopCall({ settings: { confirmModes: { test_stop: 'none' } } });
    await confirm(next)(relaxed);
    expect(relaxed.confirmation).toEqual({ mode: 'none', outcome: 'not_required' });

    const strict = testCall(testStart, {
      args: { id: 'plex' },
      resolved: PLEX,
      target: targetOf(PLEX),
      settings: { confirmModes: { test_start: 'token' } },
    });
    const r = await refusalOf(confirm(unreachable())(strict));
    expect(strict.confirmation).toEqual({ mode: 'token', outcome: 'token_issued' });
    expect(tokenOf(r.result)).toMatch(/^ct_/);
    expect(next.calls).toHaveLength(1);
  });
});

describe('confirm: token mode', () => {
  it("stops a first call with a token, the tool's description and an audited event; next is not called", async () => {
    const next = unreachable();
    const call = stopCall();
    const r = await refusalOf(confirm(next)(call));
    expect(r.decision).toEqual(ALLOWED);
    expect(r.metric).toBe('confirmation');
    expect(r.error).toBeInstanceOf(ToolError);
    expect(r.error).toMatchObject({ code: 'confirmation' });
    expect(r.result?.isError).toBe(true);
    expect(textOf(r.result)).toContain(
      'Confirmation needed — nothing was done yet. This call would: Stop container "plex", killing it after 10 s.',
    );
    expect(textOf(r.result)).toContain(`"confirmation_token": "${tokenOf(r.result)}"`);
    expect(r.result?._meta?.['unraid-mcp/confirmation']).toMatchObject({
      mode: 'token',
      token: expect.stringMatching(/^ct_/),
      expiresAt: expect.any(String),
    });
    expect(call.confirmation).toEqual({ mode: 'token', outcome: 'token_issued' });
    expect(call.env.confirmations.tokens.size).toBe(1);
    expect(next.calls).toHaveLength(0);

    const events = call.env.audit.records;
    expect(events).toHaveLength(1);
    expect(events[0]?.durable).toBe(true);
    expect(events[0]?.entry).toMatchObject({
      stage: 'event',
      event: 'confirmation.token_issued',
      principal: ADMIN.name,
      tool: 'test_stop',
      session: SESSION,
      target: { kind: 'container', ref: 'plex', id: PLEX.id, name: 'plex' },
      details: {
        expiresAt: (r.result?._meta?.['unraid-mcp/confirmation'] as { expiresAt: string }).expiresAt,
      },
    });
  });

  it('lets the same call through with the token, once', async () => {
    const env = testEnv();
    const token = await issueToken(env);
    const next = nextStub(() => ok);
    const second = stopCall({ env, confirmationToken: token });
    expect(await confirm(next)(second)).toBe(ok);
    expect(next.calls[0]).toBe(second);
    expect(second.confirmation).toEqual({ mode: 'token', outcome: 'token_confirmed' });
    // Only the issue was an event; a confirmed call is recorded in its intent's confirmation field.
    expect(env.audit.events().map((e) => e.event)).toEqual(['confirmation.token_issued']);

    const replay = stopCall({ env, confirmationToken: token });
    const r = await refusalOf(confirm(unreachable())(replay));
    expect(replay.confirmation).toEqual({ mode: 'token', outcome: 'token_replayed' });
    expect(textOf(r.result)).toContain('was already used');
    expect(env.audit.events().at(-1)).toMatchObject({
      event: 'confirmation.token_rejected',
      details: { reason: 'replayed', field: null },
    });
  });

  it('binds the token to the arguments', async () => {
    const env = testEnv();
    const token = await issueToken(env);
    const other = stopCall({ env, args: { id: 'plex', timeout: 600 }, confirmationToken: token });
    const r = await refusalOf(confirm(unreachable())(other));
    expect(r.metric).toBe('confirmation');
    expect(other.confirmation).toEqual({ mode: 'token', outcome: 'token_mismatch' });
    expect(textOf(r.result)).toContain('was issued for a different action (the arguments differs)');
    expect(env.audit.events().at(-1)).toMatchObject({
      event: 'confirmation.token_rejected',
      details: { reason: 'mismatch', field: 'argsHash' },
    });
  });

  it('binds the token to the resolved target, not the reference', async () => {
    const env = testEnv();
    const token = await issueToken(env);
    // Same arguments ("plex"), but the name now resolves to another container.
    const moved = stopCall({
      env,
      args: { id: 'plex', timeout: 10 },
      resolved: VAULT,
      target: { ...targetOf(VAULT), ref: 'plex' },
      confirmationToken: token,
    });
    await refusalOf(confirm(unreachable())(moved));
    expect(env.audit.events().at(-1)).toMatchObject({ details: { reason: 'mismatch', field: 'target' } });
  });

  it("binds the token to the caller's token id", async () => {
    const env = testEnv();
    const token = await issueToken(env, { principal: ADMIN });
    const r = await refusalOf(
      confirm(unreachable())(
        stopCall({ env, principal: { ...OPERATOR, scope: 'admin' }, confirmationToken: token }),
      ),
    );
    expect(textOf(r.result)).toContain('(the caller differs)');
    expect(env.audit.events().at(-1)).toMatchObject({
      principal: OPERATOR.name,
      details: { reason: 'mismatch', field: 'tokenId' },
    });
  });

  it('refuses an unknown token', async () => {
    const call = stopCall({ confirmationToken: 'ct_made_up' });
    const r = await refusalOf(confirm(unreachable())(call));
    expect(call.confirmation).toEqual({ mode: 'token', outcome: 'token_unknown' });
    expect(textOf(r.result)).toContain('is not a valid confirmation token');
  });

  it('describes a tool without its own describe by title, target and redacted arguments', async () => {
    const call = testCall(secretTool, {
      args: { id: 'plex', password: 'hunter2' },
      resolved: PLEX,
      target: targetOf(PLEX),
    });
    const r = await refusalOf(confirm(unreachable())(call));
    expect(textOf(r.result)).toContain(
      `This call would: Set secret (test) on container "plex" (${PLEX.id.slice(0, 12)}) with arguments {"id":"plex","password":"[REDACTED]"}.`,
    );
    expect(textOf(r.result)).not.toContain('hunter2');
  });

  it("asks the user through elicitation once the token checks out, with the description and the client's signal", async () => {
    const env = testEnv();
    const token = await issueToken(env);
    const asked: Array<{ message: string; signal: AbortSignal }> = [];
    const signal = new AbortController().signal;
    const call = stopCall({
      env,
      confirmationToken: token,
      signal,
      elicit: {
        kind: 'push',
        ask: async (message, s) => {
          asked.push({ message, signal: s });
          return 'decline';
        },
      },
    });
    const r = await refusalOf(confirm(unreachable())(call));
    expect(asked).toEqual([
      { message: 'Allow this action? Stop container "plex", killing it after 10 s.', signal },
    ]);
    expect(call.confirmation).toEqual({ mode: 'token', outcome: 'elicitation_decline' });
    expect(textOf(r.result)).toBe('The user declined this action when asked. Nothing was done.');
    expect(env.audit.events().at(-1)).toMatchObject({
      event: 'confirmation.elicitation_declined',
      details: { answer: 'decline' },
    });

    const accepted = stopCall({
      env,
      confirmationToken: await issueToken(env),
      elicit: { kind: 'push', ask: async () => 'accept' },
    });
    const next = nextStub(() => ok);
    await confirm(next)(accepted);
    expect(next.calls).toHaveLength(1);
    expect(accepted.confirmation).toEqual({ mode: 'token', outcome: 'token_confirmed' });
  });
});

describe('confirm: a describe that fails', () => {
  const failingDescribe = (err: Error) => defineTool({ ...testStop, describe: () => Promise.reject(err) });

  it('refuses as the preflight would, denied for a PolicyDeniedError, before any token is issued', async () => {
    const call = testCall(
      failingDescribe(new PolicyDeniedError('disk_in_use', 'the disk image is used by another VM')),
      {
        args: { id: 'plex', timeout: 10 },
        resolved: PLEX,
        target: targetOf(PLEX),
      },
    );
    const r = await refusalOf(confirm(unreachable())(call));
    expect(r.decision).toEqual({ allowed: false, rule: 'preflight' });
    expect(r.metric).toBe('denied');
    expect((r.error as Error).message).toBe('the disk image is used by another VM');
    expect(call.confirmation).toBeUndefined();
    expect(call.env.confirmations.tokens.size).toBe(0);
    expect(call.env.audit.records).toEqual([]);
  });

  it('counts any other describe failure as an error', async () => {
    const boom = new Error('lookup failed');
    const r = await refusalOf(
      confirm(unreachable())(
        testCall(failingDescribe(boom), {
          args: { id: 'plex', timeout: 10 },
          resolved: PLEX,
          target: targetOf(PLEX),
        }),
      ),
    );
    expect(r.decision).toEqual({ allowed: false, rule: 'preflight' });
    expect(r.metric).toBe('error');
    expect(r.error).toBe(boom);
  });

  it("hands describe the validated arguments, the resolved target and a context on the client's signal", async () => {
    const seen: unknown[] = [];
    const tool = defineTool({
      ...testStop,
      describe: (args, target, ctx) => {
        seen.push(args, target, ctx.signal, ctx.target);
        return 'described';
      },
    });
    const signal = new AbortController().signal;
    const call = testCall(tool, {
      args: { id: 'plex', timeout: 3 },
      resolved: PLEX,
      target: targetOf(PLEX),
      signal,
    });
    const r = await refusalOf(confirm(unreachable())(call));
    expect(seen).toEqual([call.args, PLEX, signal, PLEX]);
    expect(textOf(r.result)).toContain('This call would: described');
  });
});

describe('confirm: approve mode', () => {
  const approveEnv = async () =>
    testEnv({ stateDir: await mkdtemp(join(tmpdir(), 'umcp-confirm-')), settings: { approvalWaitMs: 5000 } });
  /** Decides the next pending request as the owner would, as soon as it appears. */
  const ownerDecides = (env: TestEnv, decision: 'approved' | 'denied', reason: string | null = null) =>
    new Promise<PendingConfirmation>((resolve) => {
      const onChange = (e: PendingConfirmation) => {
        if (e.status !== 'pending') return;
        env.confirmations.pending.events.off('change', onChange);
        void env.confirmations.pending.decide(e.id, decision, 'webgui', reason).then(() => resolve(e));
      };
      env.confirmations.pending.events.on('change', onChange);
    });

  it("waits for the owner's approval, then goes on; the pending request is bound to exactly this call", async () => {
    const env = await approveEnv();
    const progress: Array<[number, number | undefined, string | undefined]> = [];
    const call = testCall(testRemove, {
      env,
      request: { id: 'plex', password: 'x' },
      args: { id: 'plex' },
      resolved: PLEX,
      target: targetOf(PLEX),
      progress: async (p, t, m) => void progress.push([p, t, m]),
    });
    const decided = ownerDecides(env, 'approved');
    const next = nextStub(() => ok);
    expect(await confirm(next)(call)).toBe(ok);
    const entry = await decided;
    expect(next.calls).toHaveLength(1);
    expect(call.confirmation).toEqual({ mode: 'approve', outcome: 'approved', id: entry.id });
    expect(entry).toMatchObject({
      principal: ADMIN.name,
      client: CLIENT,
      tool: 'test_remove',
      target: { kind: 'container', id: PLEX.id, name: 'plex' },
      args: { id: 'plex', password: '[REDACTED]' },
      description: `Remove (test) on container "plex" (${PLEX.id.slice(0, 12)}) with arguments {"id":"plex"}.`,
      binding: {
        tokenId: ADMIN.tokenId,
        tool: 'test_remove',
        target: `container:${PLEX.id}`,
        argsHash: argsHash({ id: 'plex' }),
      },
    });
    expect(progress[0]).toEqual([
      0,
      5,
      `Waiting for the owner to approve confirmation ${entry.id} (on the server: unraid-mcp confirm approve ${entry.id} — or in the Unraid WebGUI, Settings → unraid-mcp)`,
    ]);
    expect(env.audit.events()).toMatchObject([
      {
        event: 'confirmation.requested',
        tool: 'test_remove',
        details: { id: entry.id, expiresAt: entry.expiresAt },
      },
    ]);
    expect(env.confirmations.pending.get(entry.id)?.status).toBe('used');
  });

  it('refuses when the owner denies, with the reason, and audits the refusal', async () => {
    const env = await approveEnv();
    const call = testCall(testRemove, { env, args: { id: 'plex' }, resolved: PLEX, target: targetOf(PLEX) });
    const decided = ownerDecides(env, 'denied', 'not today');
    const r = await refusalOf(confirm(unreachable())(call));
    const entry = await decided;
    expect(r.metric).toBe('confirmation');
    expect(r.decision).toEqual(ALLOWED);
    expect(call.confirmation).toEqual({ mode: 'approve', outcome: 'denied', id: entry.id });
    expect(textOf(r.result)).toBe('The owner denied this action (not today). Nothing was done.');
    expect(env.audit.events().map((e) => [e.event, e.details])).toEqual([
      ['confirmation.requested', { id: entry.id, expiresAt: entry.expiresAt }],
      ['confirmation.refused', { id: entry.id, reason: 'denied' }],
    ]);
  });

  it('reports a request still pending when the wait ends, with its id to call back with', async () => {
    const env = testEnv({
      stateDir: await mkdtemp(join(tmpdir(), 'umcp-confirm-')),
      settings: { approvalWaitMs: 30 },
    });
    const call = testCall(testRemove, { env, args: { id: 'plex' }, resolved: PLEX, target: targetOf(PLEX) });
    const r = await refusalOf(confirm(unreachable())(call));
    const id = (r.result?._meta?.['unraid-mcp/confirmation'] as { confirmationId: string }).confirmationId;
    expect(id).toMatch(/^pc_/);
    expect(call.confirmation).toEqual({ mode: 'approve', outcome: 'pending', id });
    expect(textOf(r.result)).toContain(`"confirmation_id": "${id}"`);

    // Approved later: the call back with the id goes through without waiting again.
    await env.confirmations.pending.decide(id, 'approved', 'cli', null);
    const back = testCall(testRemove, {
      env,
      args: { id: 'plex' },
      resolved: PLEX,
      target: targetOf(PLEX),
      confirmationId: id,
    });
    const next = nextStub(() => ok);
    await confirm(next)(back);
    expect(next.calls).toHaveLength(1);
    expect(back.confirmation).toEqual({ mode: 'approve', outcome: 'approved', id });
  });

  it('binds a tool without a target to the host', async () => {
    const env = testEnv({
      stateDir: await mkdtemp(join(tmpdir(), 'umcp-confirm-')),
      settings: { approvalWaitMs: 30 },
    });
    const hostTool = defineTool({ ...testRemove, name: 'test_host_write', target: undefined });
    const r = await refusalOf(confirm(unreachable())(testCall(hostTool, { env, args: { id: 'x' } })));
    const id = (r.result?._meta?.['unraid-mcp/confirmation'] as { confirmationId: string }).confirmationId;
    expect(env.confirmations.pending.get(id)).toMatchObject({ target: null, binding: { target: 'host' } });
    expect(textOf(r.result)).toContain('This call would: Remove (test) with arguments {"id":"x"}.');
  });
});
