import { describe, expect, it } from 'vitest';
import {
  appendAudit,
  writeEvent,
  writeIntent,
  writeOutcome,
} from '../../../server/mcp/pipeline/audit-entries.js';
import { ALLOWED } from '../../../server/mcp/pipeline/tool-call.js';
import { ToolError } from '../../../server/errors/tool-error.js';
import { testEcho, testStop } from '../../helpers/test-tools.js';
import {
  ADMIN,
  CLIENT,
  PLEX,
  SESSION,
  loggedMessages,
  memoryAudit,
  testCall,
  testEnv,
} from '../../helpers/pipeline-call.js';

const plexTarget = { kind: 'container' as const, ref: 'plex', id: PLEX.id, name: 'plex' };
const stopCall = (env = testEnv()) =>
  testCall(testStop, {
    env,
    request: { id: 'plex', timeout: 10, env: ['API_KEY=abc123'], note: 'ghp_abcdefghijklmnopqrstuvwxyz0123' },
    args: { id: 'plex', timeout: 10 },
    resolved: PLEX,
    target: plexTarget,
  });

describe('appendAudit', () => {
  it('appends the entry, durable for a writing tool, and reports success', async () => {
    const call = stopCall();
    const entry = { id: 'e1', time: 't', stage: 'event' as const, principal: 'p', event: 'x', details: {} };
    expect(await appendAudit(call, entry)).toBe(true);
    expect(call.env.audit.records).toEqual([{ entry, durable: true }]);
  });

  it('appends without durability for a read tool', async () => {
    const call = testCall(testEcho);
    await appendAudit(call, { id: 'e1', time: 't', stage: 'event', principal: 'p', event: 'x', details: {} });
    expect(call.env.audit.records[0]?.durable).toBe(false);
  });

  it('reports failure (false) and logs it instead of throwing', async () => {
    const env = testEnv({ audit: memoryAudit(() => true) });
    expect(
      await appendAudit(stopCall(env), {
        id: 'e1',
        time: 't',
        stage: 'event',
        principal: 'p',
        event: 'x',
        details: {},
      }),
    ).toBe(false);
    expect(loggedMessages(env)).toEqual(['audit append failed']);
    expect(JSON.parse(env.logLines[0] as string)).toMatchObject({
      tool: 'test_stop',
      err: { message: expect.stringContaining('ENOSPC') },
    });
  });
});

describe('writeIntent', () => {
  it("writes the intent under the call's intent id with who, what, the redacted arguments and the decision", async () => {
    const call = stopCall();
    expect(await writeIntent(call, { allowed: false, rule: 'deny:plex' })).toBe(true);
    expect(call.intentWritten).toBe(true);
    expect(call.env.audit.records).toEqual([
      {
        durable: true,
        entry: {
          id: call.intentId,
          time: expect.any(String),
          stage: 'intent',
          principal: ADMIN.name,
          client: CLIENT,
          session: SESSION,
          tool: 'test_stop',
          args: { id: 'plex', timeout: 10, env: ['API_KEY=[REDACTED]'], note: '[REDACTED]' },
          target: plexTarget,
          decision: { allowed: false, rule: 'deny:plex' },
        },
      },
    ]);
    expect(new Date(call.env.audit.intents()[0]?.time ?? '').getTime()).toBeGreaterThan(Date.now() - 5_000);
  });

  it('includes the confirmation record when the call has one', async () => {
    const call = stopCall();
    call.confirmation = { mode: 'approve', outcome: 'approved', id: 'pc_1' };
    await writeIntent(call, ALLOWED);
    expect(call.env.audit.intents()[0]?.confirmation).toEqual({
      mode: 'approve',
      outcome: 'approved',
      id: 'pc_1',
    });
  });

  it('returns false and leaves intentWritten false when the append fails', async () => {
    const call = stopCall(testEnv({ audit: memoryAudit(() => true) }));
    expect(await writeIntent(call, ALLOWED)).toBe(false);
    expect(call.intentWritten).toBe(false);
  });

  it('never turns intentWritten back to false', async () => {
    let fail = false;
    const call = stopCall(testEnv({ audit: memoryAudit(() => fail) }));
    await writeIntent(call, ALLOWED);
    fail = true;
    await writeIntent(call, ALLOWED);
    expect(call.intentWritten).toBe(true);
  });
});

describe('writeOutcome', () => {
  it('writes an ok outcome linked to the intent, with a fresh id and the duration to a tenth of a millisecond', async () => {
    const call = stopCall();
    call.confirmation = { mode: 'token', outcome: 'token_confirmed' };
    await writeOutcome(call, ALLOWED, null, 12.3456);
    const [line] = call.env.audit.records;
    expect(line?.durable).toBe(true);
    expect(line?.entry).toEqual({
      id: expect.any(String),
      intent: call.intentId,
      time: expect.any(String),
      stage: 'outcome',
      principal: ADMIN.name,
      client: CLIENT,
      session: SESSION,
      tool: 'test_stop',
      args: { id: 'plex', timeout: 10, env: ['API_KEY=[REDACTED]'], note: '[REDACTED]' },
      target: plexTarget,
      decision: ALLOWED,
      confirmation: { mode: 'token', outcome: 'token_confirmed' },
      result: { status: 'ok', code: null, message: null },
      durationMs: 12.3,
    });
    expect(line?.entry.id).not.toBe(call.intentId);
  });

  it("records a ToolError's code and its message, redacted", async () => {
    const call = stopCall();
    await writeOutcome(
      call,
      ALLOWED,
      new ToolError('conflict', 'pull failed: Bearer abcdefgh12345678 rejected'),
      1,
    );
    expect(call.env.audit.outcomes()[0]?.result).toEqual({
      status: 'error',
      code: 'conflict',
      message: 'pull failed: [REDACTED] rejected',
    });
  });

  it('records an unexpected error as internal, without its message', async () => {
    const call = stopCall();
    await writeOutcome(call, ALLOWED, new Error('EACCES /var/run/docker.sock'), 1);
    expect(call.env.audit.outcomes()[0]?.result).toEqual({
      status: 'error',
      code: 'internal',
      message: 'unexpected error (see the sidecar log)',
    });
  });

  it('swallows an append failure (logged)', async () => {
    const env = testEnv({ audit: memoryAudit(() => true) });
    await expect(writeOutcome(stopCall(env), ALLOWED, null, 1)).resolves.toBeUndefined();
    expect(loggedMessages(env)).toEqual(['audit append failed']);
  });
});

describe('records of a call whose arguments were shortened (callTool bounds them once, audit-bounds.ts)', () => {
  const digest = { argsSha256: 'ab'.repeat(32), argsBytes: 900_123 };
  const bigCall = () => ({
    ...testCall(testEcho, { request: { message: 'x' } }),
    redactedArgs: { message: `${'x'.repeat(256)}… (900000 bytes)` },
    argsDigest: digest,
  });

  it('the intent and the outcome both carry the bounded arguments and the hash and size of the whole', async () => {
    const call = bigCall();
    await writeIntent(call, ALLOWED);
    await writeOutcome(call, ALLOWED, null, 1);
    for (const rec of [...call.env.audit.intents(), ...call.env.audit.outcomes()])
      expect(rec).toMatchObject({ args: call.redactedArgs, ...digest });
  });

  it('a call whose arguments were kept whole has no hash or size fields', async () => {
    const call = stopCall();
    await writeIntent(call, ALLOWED);
    expect(call.env.audit.intents()[0]).not.toHaveProperty('argsSha256');
    expect(call.env.audit.intents()[0]).not.toHaveProperty('argsBytes');
  });

  it('keeps the first KiB of a long error message and its size, after redacting it', async () => {
    const call = stopCall();
    const message = `ghp_abcdefghijklmnopqrstuvwxyz0123 ${'y'.repeat(50_000)}`;
    await writeOutcome(call, ALLOWED, new ToolError('invalid_input', message), 1);
    // 1 KiB kept: "[REDACTED] " (11 bytes) and 1013 of the y's; the size is the redacted message's.
    expect(call.env.audit.outcomes()[0]?.result?.message).toBe(
      `[REDACTED] ${'y'.repeat(1013)}… (50011 bytes)`,
    );
  });
});

describe('writeEvent', () => {
  it('writes an event about the call: principal, tool, target, session and the details', async () => {
    const call = stopCall();
    await writeEvent(call, 'confirmation.token_issued', { expiresAt: '2026-01-01T00:00:00.000Z' });
    expect(call.env.audit.records).toEqual([
      {
        durable: true,
        entry: {
          id: expect.any(String),
          time: expect.any(String),
          stage: 'event',
          principal: ADMIN.name,
          event: 'confirmation.token_issued',
          tool: 'test_stop',
          target: plexTarget,
          session: SESSION,
          details: { expiresAt: '2026-01-01T00:00:00.000Z' },
        },
      },
    ]);
    expect(call.env.audit.records[0]?.entry.id).not.toBe(call.intentId);
    expect(call.intentWritten).toBe(false);
  });
});
