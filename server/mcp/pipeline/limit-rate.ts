import type { CallAnswer } from '../../vocabulary.js';
import { ToolError } from '../../errors/tool-error.js';
import { callLimits } from './call-limits.js';
import { Refusal } from './refusal.js';
import { retryResult } from './retry-result.js';
import type { Step } from './tool-call.js';

/**
 * Each token may make `tokenCallsPerSecond` calls a second, sustained, and `tokenCallBurst` at once
 * after a pause (a token bucket per token id). First after recordOutcome, so a flood is refused
 * before it costs validation, backends or records: the refused calls are counted in /metrics one by
 * one (outcome "rate_limited") and audited as one summary event per token per second
 * (rate-limit-summaries.ts) instead of two records each.
 */
export const limitRate: Step<CallAnswer> = (next) => async (call) => {
  const perSecond = call.settings.tokenCallsPerSecond;
  const burst = call.settings.tokenCallBurst;
  const limits = callLimits(call.env);
  const retryAfterMs = limits.buckets.take(call.caller.principal.tokenId, perSecond, burst);
  if (retryAfterMs === 0) return next(call);
  await limits.rateLimited.note(call, { perSecond, burst });
  const error = new ToolError(
    'rate_limited',
    `Too many calls from this token (limit ${perSecond} per second); retry after ${seconds(retryAfterMs)} s.`,
  );
  throw new Refusal(
    { allowed: false, rule: 'rate_limit' },
    'rate_limited',
    error,
    retryResult(error.message, retryAfterMs),
    'summarised',
  );
};

/** Milliseconds as seconds for a reader, rounded up to a tenth (never "0 s"). */
const seconds = (ms: number): string => String(Math.max(1, Math.ceil(ms / 100)) / 10);
