interface Bucket {
  /** Calls that may still be made now (fractional while refilling). */
  tokens: number;
  /** When `tokens` was last brought up to date, in the clock's milliseconds. */
  at: number;
}

/** Above this many keys, buckets that have refilled completely are dropped (they equal a new one). */
const PRUNE_ABOVE = 1000;

/**
 * One token bucket per key (a caller): each call takes a token, tokens come back at `ratePerSecond`
 * up to `burst`. Rate and burst are passed on every take, so a changed setting applies to the next
 * call without rebuilding anything. A refused call takes nothing, so a caller that keeps calling
 * while refused is not held back longer than one that waits.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes one token from `key`'s bucket: 0 when the call may go ahead, else the ms until a token is back. */
  take(key: string, ratePerSecond: number, burst: number): number {
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= PRUNE_ABOVE) this.prune(now, ratePerSecond, burst);
      b = { tokens: burst, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) * ratePerSecond) / 1000);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) * 1000) / ratePerSecond);
  }

  get size(): number {
    return this.buckets.size;
  }

  private prune(now: number, ratePerSecond: number, burst: number): void {
    for (const [key, b] of this.buckets)
      if (b.tokens + ((now - b.at) * ratePerSecond) / 1000 >= burst) this.buckets.delete(key);
  }
}
