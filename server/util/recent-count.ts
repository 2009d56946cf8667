/**
 * Counts events over a sliding window in fixed buckets (default: the last hour in 60 one-minute
 * buckets), so "calls in the last hour" costs 60 numbers however many calls there were, and reading
 * it is exact to one bucket.
 */
export class RecentCount {
  private readonly counts: number[];
  private readonly starts: number[];

  constructor(
    private readonly bucketMs = 60_000,
    buckets = 60,
    private readonly now: () => number = Date.now,
  ) {
    this.counts = new Array<number>(buckets).fill(0);
    this.starts = new Array<number>(buckets).fill(-Infinity);
  }

  add(n = 1): void {
    const start = Math.floor(this.now() / this.bucketMs) * this.bucketMs;
    const i = Math.floor(start / this.bucketMs) % this.counts.length;
    // A bucket last used a whole window ago starts over.
    if (this.starts[i] !== start) {
      this.starts[i] = start;
      this.counts[i] = 0;
    }
    this.counts[i] = (this.counts[i] ?? 0) + n;
  }

  /** Events in the window that ends now (the current, partly elapsed bucket included). */
  total(): number {
    const oldest = this.now() - this.bucketMs * this.counts.length;
    return this.counts.reduce(
      (sum, count, i) => ((this.starts[i] ?? -Infinity) > oldest ? sum + count : sum),
      0,
    );
  }
}
