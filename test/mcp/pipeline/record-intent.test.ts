import { describe, expect, it } from 'vitest';
import { AuditUnavailable, recordIntent } from '../../../server/mcp/pipeline/record-intent.js';
import { ToolError } from '../../../server/errors/tool-error.js';
import { testEcho, testStop } from '../../helpers/test-tools.js';
import {
  ADMIN,
  CLIENT,
  PLEX,
  SESSION,
  brokenAudit,
  deferred,
  loggedMessages,
  memoryAudit,
  nextStub,
  rejectionOf,
  testCall,
  testEnv,
  unreachable,
} from '../../helpers/pipeline-call.js';

const ok = { content: [] };
const plexTarget = { kind: 'container' as const, ref: 'ple', id: PLEX.id, name: 'plex' };

describe('recordIntent', () => {
  it('writes the intent record, then calls next', async () => {
    const order: string[] = [];
    const call = testCall(testStop, {
      request: { id: 'ple', timeout: 10, confirmation_token: 'ct_secret' },
      args: { id: 'ple', timeout: 10 },
      resolved: PLEX,
      target: plexTarget,
      confirmation: { mode: 'token', outcome: 'token_confirmed' },
    });
    const audit = call.env.audit;
    const append = audit.append.bind(audit);
    audit.append = async (entry, durable) => {
      order.push(`append ${entry.stage}`);
      await append(entry, durable);
    };
    const next = nextStub(() => {
      order.push('next');
      return ok;
    });
    expect(await recordIntent(next)(call)).toBe(ok);
    expect(order).toEqual(['append intent', 'next']);
    expect(next.calls[0]).toBe(call);
    expect(call.intentWritten).toBe(true);
    expect(audit.records).toHaveLength(1);
    const [{ entry, durable }] = audit.records as [(typeof audit.records)[number]];
    expect(durable).toBe(true);
    expect(entry).toEqual({
      id: call.intentId,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      stage: 'intent',
      principal: ADMIN.name,
      client: CLIENT,
      session: SESSION,
      tool: 'test_stop',
      args: { id: 'ple', timeout: 10, confirmation_token: '[REDACTED]' },
      target: plexTarget,
      decision: { allowed: true, rule: null },
      confirmation: { mode: 'token', outcome: 'token_confirmed' },
    });
  });

  it('does not call next before the append has finished (no audit, no action)', async () => {
    const gate = deferred();
    const env = testEnv();
    const append = env.audit.append.bind(env.audit);
    env.audit.append = async (entry, durable) => {
      await gate.promise;
      await append(entry, durable);
    };
    const next = nextStub(() => ok);
    const running = recordIntent(next)(testCall(testStop, { env, args: { id: 'plex', timeout: 10 } }));
    await new Promise((r) => setTimeout(r, 20));
    expect(next.calls).toHaveLength(0);
    gate.resolve();
    await running;
    expect(next.calls).toHaveLength(1);
  });

  it('asks for a durable append only for writing tools, and leaves out an absent confirmation', async () => {
    const call = testCall(testEcho, { request: { message: 'hi' }, args: { message: 'hi' } });
    await recordIntent(nextStub(() => ok))(call);
    expect(call.env.audit.records).toHaveLength(1);
    expect(call.env.audit.records[0]?.durable).toBe(false);
    expect(call.env.audit.records[0]?.entry).not.toHaveProperty('confirmation');
    expect(call.env.audit.records[0]?.entry).toMatchObject({
      target: null,
      decision: { allowed: true, rule: null },
    });
  });

  it('throws AuditUnavailable and never calls next when the intent cannot be written', async () => {
    const env = testEnv({ audit: brokenAudit() });
    const next = unreachable();
    const call = testCall(testStop, {
      env,
      args: { id: 'plex', timeout: 10 },
      resolved: PLEX,
      target: plexTarget,
    });
    const err = await rejectionOf(recordIntent(next)(call));
    expect(err).toBeInstanceOf(AuditUnavailable);
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ code: 'audit_unavailable' });
    expect((err as Error).message).toContain(
      'The audit log cannot be written, so unraid-mcp refuses to act.',
    );
    expect(next.calls).toHaveLength(0);
    expect(call.intentWritten).toBe(false);
    expect(env.audit.refused).toHaveLength(1);
    expect(env.audit.refused[0]).toMatchObject({
      durable: true,
      entry: { stage: 'intent', id: call.intentId },
    });
    expect(loggedMessages(env)).toEqual(['audit append failed']);
  });

  it('writes one intent per call even when next fails', async () => {
    const call = testCall(testStop, {
      env: testEnv({ audit: memoryAudit() }),
      args: { id: 'plex', timeout: 10 },
    });
    const boom = new Error('run failed');
    expect(await rejectionOf(recordIntent(nextStub(() => Promise.reject(boom)))(call))).toBe(boom);
    expect(call.env.audit.intents()).toHaveLength(1);
    expect(call.env.audit.outcomes()).toHaveLength(0);
  });
});
