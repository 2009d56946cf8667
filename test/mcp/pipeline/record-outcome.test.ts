import { describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { recordOutcome } from '../../../server/mcp/pipeline/record-outcome.js';
import { AuditUnavailable } from '../../../server/mcp/pipeline/record-intent.js';
import { Refusal, refuse } from '../../../server/mcp/pipeline/refusal.js';
import { writeIntent } from '../../../server/mcp/pipeline/audit-entries.js';
import { ALLOWED, type ToolCall } from '../../../server/mcp/pipeline/tool-call.js';
import { GENERIC_FAILURE } from '../../../server/errors/to-tool-result.js';
import { PolicyDeniedError } from '../../../server/errors/policy-denied-error.js';
import { ToolError } from '../../../server/errors/tool-error.js';
import { testEcho, testStop } from '../../helpers/test-tools.js';
import {
  PLEX,
  countedCalls,
  loggedMessages,
  memoryAudit,
  nextStub,
  observedDurations,
  testCall,
  testEnv,
} from '../../helpers/pipeline-call.js';

const result: CallToolResult = {
  structuredContent: { ok: 1 },
  content: [{ type: 'text', text: '{"ok":1}' }],
};
const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const plexTarget = { kind: 'container' as const, ref: 'plex', id: PLEX.id, name: 'plex' };

/** A next that writes the intent as recordIntent would, then does `then`. */
const afterIntent = (then: (call: ToolCall) => CallToolResult | Promise<CallToolResult>) =>
  nextStub(async (call) => {
    await writeIntent(call, ALLOWED);
    return then(call);
  });

const stopCall = (env = testEnv()) =>
  testCall(testStop, {
    env,
    request: { id: 'plex', timeout: 10 },
    args: { id: 'plex', timeout: 10 },
    resolved: PLEX,
    target: plexTarget,
  });

describe('recordOutcome: a call that ran', () => {
  it("returns next's result and writes the outcome, linked to the intent, counted ok", async () => {
    const call = stopCall();
    const next = afterIntent(() => result);
    expect(await recordOutcome(next)(call)).toBe(result);
    expect(next.calls[0]).toBe(call);
    const { audit, metrics } = call.env;
    expect(audit.records.map((r) => [r.entry.stage, r.durable])).toEqual([
      ['intent', true],
      ['outcome', true],
    ]);
    const [intent] = audit.intents();
    const [outcome] = audit.outcomes();
    expect(outcome).toEqual({
      id: expect.any(String),
      intent: intent?.id,
      time: expect.any(String),
      stage: 'outcome',
      principal: intent?.principal,
      client: intent?.client,
      session: intent?.session,
      tool: 'test_stop',
      args: { id: 'plex', timeout: 10 },
      target: plexTarget,
      decision: { allowed: true, rule: null },
      result: { status: 'ok', code: null, message: null },
      durationMs: expect.any(Number),
    });
    expect(outcome?.id).not.toBe(intent?.id);
    expect(await countedCalls(metrics, 'test_stop', 'ok')).toBe(1);
    expect(await countedCalls(metrics, 'test_stop')).toBe(1);
    expect(await observedDurations(metrics, 'test_stop')).toBe(1);
  });

  it("records a read tool's outcome without asking for durability", async () => {
    const call = testCall(testEcho, { request: { message: 'hi' }, args: { message: 'hi' } });
    await recordOutcome(afterIntent(() => result))(call);
    expect(call.env.audit.records.map((r) => r.durable)).toEqual([false, false]);
  });

  it("records how long the call took, from the call's start", async () => {
    const call = testCall(testEcho, { args: { message: 'hi' } });
    await recordOutcome(afterIntent(async () => (await new Promise((r) => setTimeout(r, 60)), result)))(call);
    expect(call.env.audit.outcomes()[0]?.durationMs).toBeGreaterThanOrEqual(55);
  });

  it('turns a ToolError from the tool into an error outcome with its code and redacted message, counted error', async () => {
    const call = stopCall();
    const res = await recordOutcome(
      afterIntent(() =>
        Promise.reject(new ToolError('conflict', 'container is busy, key AKIAABCDEFGHIJKLMNOP')),
      ),
    )(call);
    expect(res).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'container is busy, key AKIAABCDEFGHIJKLMNOP' }],
    });
    expect(call.env.audit.intents()).toHaveLength(1);
    expect(call.env.audit.outcomes()[0]).toMatchObject({
      decision: { allowed: true, rule: null },
      result: { status: 'error', code: 'conflict', message: 'container is busy, key [REDACTED]' },
    });
    expect(await countedCalls(call.env.metrics, 'test_stop', 'error')).toBe(1);
    // A ToolError is expected: not logged as a failure.
    expect(loggedMessages(call.env)).toEqual([]);
  });

  it('hides an unexpected error from the client and the audit, logs it, and counts error', async () => {
    const call = stopCall();
    const res = await recordOutcome(
      afterIntent(() => Promise.reject(new Error('connect ENOENT /var/run/docker.sock'))),
    )(call);
    expect(res).toEqual({ isError: true, content: [{ type: 'text', text: GENERIC_FAILURE }] });
    expect(call.env.audit.outcomes()[0]?.result).toEqual({
      status: 'error',
      code: 'internal',
      message: 'unexpected error (see the sidecar log)',
    });
    expect(loggedMessages(call.env)).toEqual(['tool failed']);
    expect(call.env.logLines[0]).toContain('docker.sock');
    expect(await countedCalls(call.env.metrics, 'test_stop', 'error')).toBe(1);
  });
});

describe('recordOutcome: a refused call', () => {
  it("writes the intent and the outcome together, with the refusal's decision and metric", async () => {
    const call = stopCall();
    const denied = new PolicyDeniedError(
      'deny:plex',
      'container "plex" is denied by the Docker filter "plex"',
    );
    const res = await recordOutcome(nextStub(() => Promise.reject(refuse('deny:plex', 'denied', denied))))(
      call,
    );
    expect(res).toEqual({ isError: true, content: [{ type: 'text', text: denied.message }] });
    const { audit, metrics } = call.env;
    expect(audit.records.map((r) => [r.entry.stage, r.durable])).toEqual([
      ['intent', true],
      ['outcome', true],
    ]);
    const [intent] = audit.intents();
    const [outcome] = audit.outcomes();
    expect(intent).toMatchObject({
      id: call.intentId,
      decision: { allowed: false, rule: 'deny:plex' },
      target: plexTarget,
      args: { id: 'plex', timeout: 10 },
    });
    expect(outcome).toMatchObject({
      intent: call.intentId,
      decision: { allowed: false, rule: 'deny:plex' },
      result: { status: 'error', code: 'policy_denied', message: denied.message },
    });
    expect(call.intentWritten).toBe(true);
    expect(await countedCalls(metrics, 'test_stop', 'denied')).toBe(1);
    expect(await countedCalls(metrics, 'test_stop')).toBe(1);
    expect(loggedMessages(call.env)).toEqual([]);
  });

  it.each(['invalid', 'error', 'confirmation', 'rate_limited', 'busy'] as const)(
    'counts a refusal with metric %s under that outcome label',
    async (metric) => {
      const call = stopCall();
      await recordOutcome(
        nextStub(() => Promise.reject(refuse('some_rule', metric, new ToolError('x', 'refused')))),
      )(call);
      expect(await countedCalls(call.env.metrics, 'test_stop', metric)).toBe(1);
      expect(await countedCalls(call.env.metrics, 'test_stop')).toBe(1);
    },
  );

  it("returns the refusal's own result when it has one (a confirmation prompt), and keeps the confirmation record", async () => {
    const call = stopCall();
    const prompt: CallToolResult = {
      isError: true,
      content: [{ type: 'text', text: 'Confirmation needed' }],
      _meta: { 'unraid-mcp/confirmation': { token: 'ct_x' } },
    };
    const next = nextStub((c) => {
      c.confirmation = { mode: 'token', outcome: 'token_issued' };
      return Promise.reject(
        new Refusal(ALLOWED, 'confirmation', new ToolError('confirmation', 'confirmation required'), prompt),
      );
    });
    expect(await recordOutcome(next)(call)).toBe(prompt);
    const [intent] = call.env.audit.intents();
    const [outcome] = call.env.audit.outcomes();
    expect(intent).toMatchObject({
      decision: ALLOWED,
      confirmation: { mode: 'token', outcome: 'token_issued' },
    });
    expect(outcome).toMatchObject({
      decision: ALLOWED,
      confirmation: { mode: 'token', outcome: 'token_issued' },
      result: { status: 'error', code: 'confirmation', message: 'confirmation required' },
    });
    expect(await countedCalls(call.env.metrics, 'test_stop', 'confirmation')).toBe(1);
  });

  it('writes no records for a refusal its step summarised itself (the rate limit), only the metric', async () => {
    const call = stopCall();
    const answer: CallToolResult = {
      isError: true,
      content: [{ type: 'text', text: 'Too many calls' }],
      _meta: { retryAfterMs: 50 },
    };
    const summarised = new Refusal(
      { allowed: false, rule: 'rate_limit' },
      'rate_limited',
      new ToolError('rate_limited', 'Too many calls'),
      answer,
      'summarised',
    );
    expect(await recordOutcome(nextStub(() => Promise.reject(summarised)))(call)).toBe(answer);
    expect(call.env.audit.records).toEqual([]);
    expect(await countedCalls(call.env.metrics, 'test_stop', 'rate_limited')).toBe(1);
    expect(await countedCalls(call.env.metrics, 'test_stop')).toBe(1);
    expect(await observedDurations(call.env.metrics, 'test_stop')).toBe(1);
  });

  it('records the declared target when the refusal came before resolution', async () => {
    const call = testCall(testStop, {
      args: { id: 'ghost', timeout: 10 },
      target: { kind: 'container', ref: 'ghost' },
    });
    await recordOutcome(
      nextStub(() =>
        Promise.reject(
          refuse('target', 'error', new ToolError('not_found', 'container "ghost" does not exist')),
        ),
      ),
    )(call);
    expect(call.env.audit.intents()[0]?.target).toEqual({ kind: 'container', ref: 'ghost' });
    expect(call.env.audit.outcomes()[0]).toMatchObject({
      target: { kind: 'container', ref: 'ghost' },
      result: { code: 'not_found' },
    });
  });

  it('records an unexpected error thrown before the intent as refused (rule "error"), never as allowed', async () => {
    const call = stopCall();
    await recordOutcome(nextStub(() => Promise.reject(new Error('progress notification failed'))))(call);
    expect(call.env.audit.intents()).toMatchObject([{ decision: { allowed: false, rule: 'error' } }]);
    expect(call.env.audit.outcomes()).toMatchObject([
      { decision: { allowed: false, rule: 'error' }, result: { status: 'error', code: 'internal' } },
    ]);
    expect(await countedCalls(call.env.metrics, 'test_stop', 'error')).toBe(1);
  });
});

describe('recordOutcome: when the audit log fails', () => {
  it('writes no record for AuditUnavailable but counts it under audit_unavailable, and returns it to the client', async () => {
    const call = stopCall();
    const res = await recordOutcome(nextStub(() => Promise.reject(new AuditUnavailable())))(call);
    expect(res).toEqual({ isError: true, content: [{ type: 'text', text: new AuditUnavailable().message }] });
    expect(call.env.audit.records).toEqual([]);
    expect(await countedCalls(call.env.metrics, 'test_stop', 'audit_unavailable')).toBe(1);
    expect(await countedCalls(call.env.metrics, 'test_stop')).toBe(1);
    expect(await observedDurations(call.env.metrics, 'test_stop')).toBe(1);
  });

  it('still answers and counts the call when only the outcome record fails', async () => {
    const env = testEnv({ audit: memoryAudit((e) => e.stage === 'outcome') });
    const call = stopCall(env);
    expect(await recordOutcome(afterIntent(() => result))(call)).toBe(result);
    expect(env.audit.intents()).toHaveLength(1);
    expect(env.audit.refused.map((r) => r.entry.stage)).toEqual(['outcome']);
    expect(loggedMessages(env)).toEqual(['audit append failed']);
    expect(await countedCalls(env.metrics, 'test_stop', 'ok')).toBe(1);
  });

  it('still answers a refused call when neither of its records can be written', async () => {
    const env = testEnv({ audit: memoryAudit(() => true) });
    const call = stopCall(env);
    const res = await recordOutcome(
      nextStub(() =>
        Promise.reject(refuse('scope', 'denied', new PolicyDeniedError('scope', 'needs admin'))),
      ),
    )(call);
    expect(textOf(res as CallToolResult)).toBe('needs admin');
    expect(env.audit.refused.map((r) => r.entry.stage)).toEqual(['intent', 'outcome']);
    expect(call.intentWritten).toBe(false);
    expect(await countedCalls(env.metrics, 'test_stop', 'denied')).toBe(1);
  });
});
