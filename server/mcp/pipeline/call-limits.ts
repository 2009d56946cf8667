import { Slots } from '../../util/slots.js';
import { TokenBuckets } from '../../util/token-buckets.js';
import { RateLimitSummaries } from './rate-limit-summaries.js';
import type { CallEnv } from './tool-call.js';

/** What limitRate and limitConcurrency keep between calls. */
export interface CallLimits {
  /** One token bucket per token id. */
  buckets: TokenBuckets;
  /** The audit summaries of rate-limited calls. */
  rateLimited: RateLimitSummaries;
  /** The calls running now, past the rate limit. */
  running: Slots;
}

const byEnv = new WeakMap<CallEnv, CallLimits>();

/**
 * The limits' state for one service, made on its first call and gone with it. Kept beside the env
 * instead of in it, so whoever builds a CallEnv (the service, tests) needs to know nothing about it.
 */
export function callLimits(env: CallEnv): CallLimits {
  let limits = byEnv.get(env);
  if (!limits) {
    limits = { buckets: new TokenBuckets(), rateLimited: new RateLimitSummaries(env), running: new Slots() };
    byEnv.set(env, limits);
  }
  return limits;
}
