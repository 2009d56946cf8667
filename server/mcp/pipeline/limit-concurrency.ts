import type { CallAnswer } from '../../vocabulary.js';
import { ToolError } from '../../errors/tool-error.js';
import { callLimits } from './call-limits.js';
import { Refusal } from './refusal.js';
import { retryResult } from './retry-result.js';
import type { Step } from './tool-call.js';

/** What a busy server tells the client to wait: a slot frees up when any running call ends. */
export const BUSY_RETRY_MS = 1000;

/**
 * At most `maxConcurrentCalls` calls run at once, all tokens together; a call beyond that is refused
 * at once ("busy") rather than queued, since each running call holds memory and event-loop time and
 * a queue would only hold more. Right after the rate limit, so the slot covers everything that costs
 * (validation, backends, waiting for a lock or an approval, the tool) and calls over their token's
 * limit never take one. A busy refusal is audited like any other: the rate limit already bounds how
 * many one token can cause. The slot is held until the tool's work has really ended, even when the
 * caller was answered earlier (a timed-out change that still runs, see lockTarget).
 */
export const limitConcurrency: Step<CallAnswer> = (next) => async (call) => {
  const running = callLimits(call.env).running;
  const max = call.settings.maxConcurrentCalls;
  const release = running.tryTake(max);
  if (!release) {
    const error = new ToolError(
      'busy',
      `The server is busy (${running.count} ${running.count === 1 ? 'call' : 'calls'} running); retry in a moment.`,
    );
    throw new Refusal(
      { allowed: false, rule: 'busy' },
      'busy',
      error,
      retryResult(error.message, BUSY_RETRY_MS),
    );
  }
  try {
    return await next(call);
  } finally {
    const work = call.work;
    if (work?.promise && !work.ended) work.promise.then(release, release);
    else release();
  }
};
