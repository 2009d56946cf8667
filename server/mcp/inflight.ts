/** Counts tool calls in progress so shutdown can let them finish (up to a deadline) before closing sessions. */
export class InflightTracker {
  private readonly pending = new Set<Promise<unknown>>();

  get count(): number {
    return this.pending.size;
  }

  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    const done = () => this.pending.delete(p);
    p.then(done, done);
    return p;
  }

  /** Resolves when every tracked call has settled, or after `deadlineMs`; returns how many were still running. */
  async drain(deadlineMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((r) => (timer = setTimeout(r, deadlineMs)));
    await Promise.race([Promise.allSettled([...this.pending]), deadline]);
    clearTimeout(timer);
    return this.pending.size;
  }
}
