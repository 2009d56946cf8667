import { describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { BUSY_RETRY_MS, limitConcurrency } from '../../../server/mcp/pipeline/limit-concurrency.js';
import { recordOutcome } from '../../../server/mcp/pipeline/record-outcome.js';
import { callLimits } from '../../../server/mcp/pipeline/call-limits.js';
import { ToolError } from '../../../server/errors/tool-error.js';
import { testEcho } from '../../helpers/test-tools.js';
import {
  READER,
  countedCalls,
  deferred,
  nextStub,
  refusalOf,
  sleep,
  testCall,
  testEnv,
  type TestEnv,
} from '../../helpers/pipeline-call.js';

const ok: CallToolResult = { content: [{ type: 'text', text: 'ok' }] };
const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const capped = (max: number) => testEnv({ settings: { maxConcurrentCalls: max } });
const echo = (env: TestEnv) => testCall(testEcho, { env, principal: READER, request: { message: 'hi' } });

describe('limitConcurrency', () => {
  it('runs up to the cap at once and refuses the next as busy, with retryAfterMs', async () => {
    const env = capped(2);
    const gate = deferred();
    const next = nextStub(async () => {
      await gate.promise;
      return ok;
    });
    const step = limitConcurrency(next);
    const running = [step(echo(env)), step(echo(env))];
    const refusal = await refusalOf(step(echo(env)));
    expect(next.calls).toHaveLength(2);
    expect(refusal.decision).toEqual({ allowed: false, rule: 'busy' });
    expect(refusal.metric).toBe('busy');
    expect(refusal.audit).toBe('records');
    expect((refusal.error as ToolError).code).toBe('busy');
    expect(refusal.result).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'The server is busy (2 calls running); retry in a moment.' }],
      _meta: { retryAfterMs: BUSY_RETRY_MS },
    });
    gate.resolve();
    expect(await Promise.all(running)).toEqual([ok, ok]);
    expect(callLimits(env).running.count).toBe(0);
  });

  it('gives the slot back when the call ends, whether it succeeded, failed or was refused later', async () => {
    const env = capped(1);
    const fail = limitConcurrency(
      nextStub(() => {
        throw new ToolError('invalid_input', 'bad');
      }),
    );
    await expect(fail(echo(env))).rejects.toThrow('bad');
    expect(callLimits(env).running.count).toBe(0);
    expect(await limitConcurrency(nextStub(() => ok))(echo(env))).toBe(ok);
    expect(callLimits(env).running.count).toBe(0);
  });

  it("keeps the slot while the tool's work still runs after its caller was answered (a timed-out change)", async () => {
    const env = capped(1);
    const work = deferred<unknown>();
    const step = limitConcurrency(
      nextStub((call) => {
        // As lockTarget and limitTime leave it when the deadline answered before the tool ended.
        call.work = { promise: work.promise, ended: false };
        return ok;
      }),
    );
    expect(await step(echo(env))).toBe(ok);
    expect(callLimits(env).running.count).toBe(1);
    await refusalOf(limitConcurrency(nextStub(() => ok))(echo(env)));
    work.resolve(undefined);
    await sleep(0);
    expect(callLimits(env).running.count).toBe(0);
  });

  it('counts all tokens together, per service (env)', async () => {
    const env = capped(1);
    const gate = deferred();
    const hold = limitConcurrency(nextStub(() => gate.promise.then(() => ok)));
    const first = hold(echo(env));
    await refusalOf(limitConcurrency(nextStub(() => ok))(testCall(testEcho, { env })));
    expect(await limitConcurrency(nextStub(() => ok))(echo(capped(1)))).toBe(ok);
    gate.resolve();
    await first;
  });

  it('under recordOutcome: a busy call leaves an intent and an outcome, counted as busy', async () => {
    const env = capped(1);
    const gate = deferred();
    const step = recordOutcome(limitConcurrency(nextStub(() => gate.promise.then(() => ok))));
    const first = step(echo(env));
    const busy = (await step(echo(env))) as CallToolResult;
    expect(busy.isError).toBe(true);
    expect(textOf(busy)).toBe('The server is busy (1 call running); retry in a moment.');
    expect(busy._meta).toEqual({ retryAfterMs: BUSY_RETRY_MS });
    expect(env.audit.intents()).toMatchObject([{ decision: { allowed: false, rule: 'busy' } }]);
    expect(env.audit.outcomes()).toMatchObject([
      {
        decision: { allowed: false, rule: 'busy' },
        result: {
          status: 'error',
          code: 'busy',
          message: 'The server is busy (1 call running); retry in a moment.',
        },
      },
    ]);
    expect(await countedCalls(env.metrics, 'test_echo', 'busy')).toBe(1);
    gate.resolve();
    expect(await first).toBe(ok);
  });
});
