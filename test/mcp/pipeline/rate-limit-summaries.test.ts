import { describe, expect, it } from 'vitest';
import { RATE_LIMITED_EVENT, RateLimitSummaries } from '../../../server/mcp/pipeline/rate-limit-summaries.js';
import { testEcho, testStop } from '../../helpers/test-tools.js';
import {
  OPERATOR,
  READER,
  loggedMessages,
  memoryAudit,
  sleep,
  testCall,
  testEnv,
  type TestEnv,
} from '../../helpers/pipeline-call.js';
import type { Principal } from '../../../server/tokens/token-authenticator.js';
import type { AnyTool } from '../../../server/tools/define-tool.js';

const LIMIT = { perSecond: 20, burst: 60 };
const INTERVAL = 60;

const callOf = (env: TestEnv, principal: Principal = READER, tool: AnyTool = testEcho) =>
  testCall(tool, { env, principal });

describe('RateLimitSummaries', () => {
  it('writes the first refusal at once, then at most one summary per interval with the counts', async () => {
    const env = testEnv();
    const summaries = new RateLimitSummaries(env, INTERVAL);
    await summaries.note(callOf(env), LIMIT);
    expect(env.audit.events()).toEqual([
      {
        id: expect.any(String),
        time: expect.any(String),
        stage: 'event',
        principal: READER.name,
        event: RATE_LIMITED_EVENT,
        details: {
          refused: 1,
          first: expect.any(String),
          last: expect.any(String),
          tools: { test_echo: 1 },
          sessions: ['feedfacecafebeef'],
          limitPerSecond: 20,
          burst: 60,
        },
      },
    ]);
    expect(env.audit.records[0]?.durable).toBe(false);

    for (let i = 0; i < 5; i++) await summaries.note(callOf(env), LIMIT);
    await summaries.note(callOf(env, READER, testStop), LIMIT);
    expect(env.audit.events()).toHaveLength(1);
    expect(summaries.waiting).toBe(1);
    await sleep(INTERVAL + 30);
    expect(summaries.waiting).toBe(0);
    const events = env.audit.events();
    expect(events).toHaveLength(2);
    expect(events[1]?.details).toMatchObject({ refused: 6, tools: { test_echo: 5, test_stop: 1 } });
    const { first, last } = events[1]?.details as { first: string; last: string };
    expect(first <= last).toBe(true);
  });

  it('keeps tokens apart: each has its own summary and interval', async () => {
    const env = testEnv();
    const summaries = new RateLimitSummaries(env, INTERVAL);
    await summaries.note(callOf(env, READER), LIMIT);
    await summaries.note(callOf(env, OPERATOR), LIMIT);
    expect(env.audit.events().map((e) => [e.principal, e.details.refused])).toEqual([
      [READER.name, 1],
      [OPERATOR.name, 1],
    ]);
  });

  it('writes nothing more once the flood is over, and writes at once again after a quiet interval', async () => {
    const env = testEnv();
    const summaries = new RateLimitSummaries(env, INTERVAL);
    await summaries.note(callOf(env), LIMIT);
    await sleep(INTERVAL * 3);
    expect(env.audit.events()).toHaveLength(1);
    await summaries.note(callOf(env), LIMIT);
    expect(env.audit.events()).toHaveLength(2);
  });

  it('logs an audit log that cannot be written instead of throwing', async () => {
    const env = testEnv({ audit: memoryAudit(() => true) });
    const summaries = new RateLimitSummaries(env, INTERVAL);
    await expect(summaries.note(callOf(env), LIMIT)).resolves.toBeUndefined();
    expect(loggedMessages(env)).toEqual(['audit append failed']);
  });
});
