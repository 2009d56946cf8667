/** One tool call in progress: its answer, and the controller of the signal it runs under. */
interface InflightCall {
  answer: Promise<unknown>;
  controller: AbortController;
}

/**
 * The tool calls in progress, so shutdown can let them finish (up to a deadline) and then stop the
 * rest in a way the pipeline can tell from a client's cancellation: each call runs under a signal of
 * its own that follows the client's (with the client's reason) and is aborted with the shutdown's
 * reason by abortAll.
 */
export class InflightTracker {
  private readonly calls = new Set<InflightCall>();
  /** Set by abortAll: calls that arrive afterwards begin with their signal already aborted. */
  private stoppedWith: { reason: unknown } | null = null;

  get count(): number {
    return this.calls.size;
  }

  /** Runs `work` under a signal aborted when `outer` aborts (with its reason) or when abortAll is called. */
  run<T>(outer: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const follow = () => controller.abort(outer.reason);
    if (this.stoppedWith) controller.abort(this.stoppedWith.reason);
    else if (outer.aborted) follow();
    else outer.addEventListener('abort', follow, { once: true });
    // Started at once; a synchronous throw becomes the answer's rejection.
    const answer = new Promise<T>((resolve) => resolve(work(controller.signal)));
    const call: InflightCall = { answer, controller };
    this.calls.add(call);
    const done = () => {
      // The listener holds the call's closures; a long-lived client signal must not keep them.
      outer.removeEventListener('abort', follow);
      this.calls.delete(call);
    };
    answer.then(done, done);
    return answer;
  }

  /** Resolves when every call has settled, or after `deadlineMs`; returns how many were still running. */
  async drain(deadlineMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((r) => (timer = setTimeout(r, deadlineMs)));
    await Promise.race([Promise.allSettled([...this.calls].map((c) => c.answer)), deadline]);
    clearTimeout(timer);
    return this.calls.size;
  }

  /**
   * Aborts the signal of every call still running with `reason`, and of every call that arrives
   * later; returns how many were running. A call aborted here keeps that reason even when the
   * client's signal aborts afterwards (as the SDK does to every request when its session closes).
   */
  abortAll(reason: unknown): number {
    this.stoppedWith ??= { reason };
    for (const c of this.calls) c.controller.abort(this.stoppedWith.reason);
    return this.calls.size;
  }
}
