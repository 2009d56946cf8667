import { describe, expect, it } from 'vitest';
import { checkAccess } from '../../../server/mcp/pipeline/check-access.js';
import { Refusal } from '../../../server/mcp/pipeline/refusal.js';
import { PolicyDeniedError } from '../../../server/errors/policy-denied-error.js';
import { testAdminWrite, testEcho, testStart } from '../../helpers/test-tools.js';
import {
  ADMIN,
  OPERATOR,
  READER,
  nextStub,
  refusalOf,
  testCall,
  testEnv,
  unreachable,
} from '../../helpers/pipeline-call.js';

const ok = { content: [] };

describe('checkAccess', () => {
  it('passes a permitted call on to next unchanged and returns what next returns', async () => {
    const next = nextStub(() => ok);
    const call = testCall(testStart, { principal: OPERATOR });
    expect(await checkAccess(next)(call)).toBe(ok);
    expect(next.calls).toHaveLength(1);
    expect(next.calls[0]).toBe(call);
  });

  it('refuses a writing tool in read-only mode, whatever the scope, without calling next', async () => {
    const next = unreachable();
    const call = testCall(testAdminWrite, { principal: ADMIN, settings: { readOnly: true } });
    const r = await refusalOf(checkAccess(next)(call));
    expect(r.decision).toEqual({ allowed: false, rule: 'read_only' });
    expect(r.metric).toBe('denied');
    expect(r.result).toBeUndefined();
    expect(r.error).toBeInstanceOf(PolicyDeniedError);
    expect(r.error).toMatchObject({ rule: 'read_only', code: 'policy_denied' });
    expect((r.error as Error).message).toMatch(/"test_admin_write" changes the server .* read-only mode/);
    expect(next.calls).toHaveLength(0);
  });

  it('lets a read tool through in read-only mode', async () => {
    const next = nextStub(() => ok);
    await checkAccess(next)(testCall(testEcho, { principal: READER, settings: { readOnly: true } }));
    expect(next.calls).toHaveLength(1);
  });

  it('refuses a tool whose toolset is switched off', async () => {
    const next = unreachable();
    const r = await refusalOf(
      checkAccess(next)(testCall(testStart, { settings: { toolsets: ['system', 'vm'] } })),
    );
    expect(r.decision).toEqual({ allowed: false, rule: 'toolset_disabled' });
    expect(r.metric).toBe('denied');
    expect((r.error as Error).message).toContain('The "docker" tools are switched off');
  });

  it("refuses a token whose scope is below the tool's", async () => {
    const next = unreachable();
    const r = await refusalOf(checkAccess(next)(testCall(testAdminWrite, { principal: OPERATOR })));
    expect(r.decision).toEqual({ allowed: false, rule: 'scope' });
    expect(r.metric).toBe('denied');
    expect((r.error as Error).message).toContain(
      'needs a token with the "admin" scope; this token has "operate"',
    );
    // A read token may not operate either.
    await expect(
      checkAccess(unreachable())(testCall(testStart, { principal: READER })),
    ).rejects.toMatchObject({ decision: { rule: 'scope' } });
  });

  it('checks read-only mode before the scope', async () => {
    const r = await refusalOf(
      checkAccess(unreachable())(
        testCall(testAdminWrite, { principal: READER, settings: { readOnly: true } }),
      ),
    );
    expect(r.decision.rule).toBe('read_only');
  });

  it("decides on the call's settings snapshot, not on settings read again from the env", async () => {
    const env = testEnv({ settings: { readOnly: true } });
    const next = nextStub(() => ok);
    await checkAccess(next)(testCall(testStart, { env, settings: { readOnly: false } }));
    expect(next.calls).toHaveLength(1);
    await expect(checkAccess(unreachable())(testCall(testStart, { env }))).rejects.toMatchObject({
      decision: { rule: 'read_only' },
    });
  });

  it('writes no audit record and counts no metric itself (recordOutcome does)', async () => {
    const call = testCall(testAdminWrite, { principal: READER });
    await expect(checkAccess(unreachable())(call)).rejects.toBeInstanceOf(Refusal);
    expect(call.env.audit.records).toEqual([]);
    expect((await call.env.metrics.toolCalls.get()).values).toEqual([]);
  });
});
