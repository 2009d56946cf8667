import { describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { limitRate } from '../../../server/mcp/pipeline/limit-rate.js';
import { recordOutcome } from '../../../server/mcp/pipeline/record-outcome.js';
import { RATE_LIMITED_EVENT } from '../../../server/mcp/pipeline/rate-limit-summaries.js';
import { writeIntent } from '../../../server/mcp/pipeline/audit-entries.js';
import { ALLOWED } from '../../../server/mcp/pipeline/tool-call.js';
import { ToolError } from '../../../server/errors/tool-error.js';
import { testEcho, testStop } from '../../helpers/test-tools.js';
import {
  OPERATOR,
  READER,
  countedCalls,
  nextStub,
  refusalOf,
  sleep,
  testCall,
  testEnv,
  type TestEnv,
} from '../../helpers/pipeline-call.js';

const ok: CallToolResult = { content: [{ type: 'text', text: 'ok' }] };
const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;

/** An env whose calls may be made at `perSecond` a second with a burst of `burst`. */
const limited = (perSecond: number, burst: number) =>
  testEnv({ settings: { tokenCallsPerSecond: perSecond, tokenCallBurst: burst } });

/** A next that writes the intent as recordIntent would, then answers ok. */
const intentThenOk = () =>
  nextStub(async (call) => {
    await writeIntent(call, ALLOWED);
    return ok;
  });

const echo = (env: TestEnv, principal = READER) =>
  testCall(testEcho, { env, principal, request: { message: 'hi' } });

describe('limitRate', () => {
  it('lets a burst through, then refuses with the limit, when to retry, and retryAfterMs', async () => {
    const env = limited(2, 3);
    const next = nextStub(() => ok);
    const step = limitRate(next);
    for (let i = 0; i < 3; i++) expect(await step(echo(env))).toBe(ok);
    const refusal = await refusalOf(step(echo(env)));
    expect(next.calls).toHaveLength(3);
    expect(refusal.decision).toEqual({ allowed: false, rule: 'rate_limit' });
    expect(refusal.metric).toBe('rate_limited');
    expect(refusal.audit).toBe('summarised');
    expect(refusal.error).toBeInstanceOf(ToolError);
    expect((refusal.error as ToolError).code).toBe('rate_limited');
    const retryAfterMs = (refusal.result as CallToolResult)?._meta?.retryAfterMs as number;
    // Empty bucket at 2 tokens a second: one is back within 500 ms (a few ms have passed already).
    expect(retryAfterMs).toBeGreaterThan(400);
    expect(retryAfterMs).toBeLessThanOrEqual(500);
    expect((refusal.result as CallToolResult)?.isError).toBe(true);
    expect(textOf(refusal.result as CallToolResult)).toBe(
      `Too many calls from this token (limit 2 per second); retry after ${Math.ceil(retryAfterMs / 100) / 10} s.`,
    );
  });

  it('gives tokens back at the rate: after waiting retryAfterMs the call goes through', async () => {
    const env = limited(20, 1);
    const step = limitRate(nextStub(() => ok));
    expect(await step(echo(env))).toBe(ok);
    const refusal = await refusalOf(step(echo(env)));
    const wait = (refusal.result as CallToolResult)?._meta?.retryAfterMs as number;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(50);
    await sleep(wait + 5);
    expect(await step(echo(env))).toBe(ok);
  });

  it('keeps one bucket per token: another token is not held back', async () => {
    const env = limited(1, 1);
    const step = limitRate(nextStub(() => ok));
    expect(await step(echo(env, READER))).toBe(ok);
    await refusalOf(step(echo(env, READER)));
    expect(await step(echo(env, OPERATOR))).toBe(ok);
  });

  it("applies the call's settings snapshot, so a raised limit takes effect on the next call", async () => {
    const env = limited(1, 1);
    const step = limitRate(nextStub(() => ok));
    await step(echo(env));
    await refusalOf(step(echo(env)));
    const raised = testCall(testEcho, {
      env,
      principal: READER,
      settings: { tokenCallsPerSecond: 1, tokenCallBurst: 5 },
    });
    // The bucket keeps its level (empty) but may now hold five: still refused until a token is back.
    await refusalOf(step(raised));
    const faster = testCall(testEcho, {
      env,
      principal: READER,
      settings: { tokenCallsPerSecond: 10_000, tokenCallBurst: 5 },
    });
    await sleep(2);
    expect(await step(faster)).toBe(ok);
  });

  it('counts every call, refused or not: calls refused by later steps use the budget too', async () => {
    const env = limited(1, 2);
    const step = limitRate(
      nextStub(() => {
        throw new ToolError('invalid_input', 'bad');
      }),
    );
    await expect(step(echo(env))).rejects.toThrow('bad');
    await expect(step(echo(env))).rejects.toThrow('bad');
    await refusalOf(step(echo(env)));
  });
});

describe('limitRate under recordOutcome: what a flood leaves behind', () => {
  it('no intent or outcome per refused call, each counted as rate_limited, and one summary event', async () => {
    const env = limited(1, 2);
    const step = recordOutcome(limitRate(intentThenOk()));
    const results: CallToolResult[] = [];
    for (let i = 0; i < 10; i++) results.push((await step(echo(env))) as CallToolResult);
    expect(results.filter((r) => r === ok)).toHaveLength(2);
    for (const r of results.filter((x) => x !== ok)) {
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/^Too many calls from this token \(limit 1 per second\); retry after /);
      expect(r._meta?.retryAfterMs).toEqual(expect.any(Number));
    }
    expect(env.audit.intents()).toHaveLength(2);
    expect(env.audit.outcomes()).toHaveLength(2);
    expect(await countedCalls(env.metrics, 'test_echo', 'rate_limited')).toBe(8);
    expect(await countedCalls(env.metrics, 'test_echo', 'ok')).toBe(2);
    // The first refusal is on record at once; the other seven wait for the end of the second.
    expect(env.audit.events()).toEqual([
      expect.objectContaining({
        stage: 'event',
        event: RATE_LIMITED_EVENT,
        principal: READER.name,
        details: expect.objectContaining({ refused: 1, tools: { test_echo: 1 } }),
      }),
    ]);
    await sleep(1100);
    const events = env.audit.events();
    expect(events).toHaveLength(2);
    expect(events[1]?.details).toMatchObject({ refused: 7, tools: { test_echo: 7 } });
  });

  it('summarises a writing tool the same way: nothing durable per refused call', async () => {
    const env = limited(1, 1);
    const step = recordOutcome(limitRate(intentThenOk()));
    const stop = () => testCall(testStop, { env, principal: OPERATOR, request: { id: 'plex', timeout: 10 } });
    await step(stop());
    const refused = (await step(stop())) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(env.audit.records.map((r) => r.entry.stage)).toEqual(['intent', 'outcome', 'event']);
    expect(env.audit.records[2]?.durable).toBe(false);
  });
});
