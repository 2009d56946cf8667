/**
 * Runs `work` with its own AbortController, aborted when `outer` aborts (client cancellation, an
 * enclosing timeout) or after `ms`, and settles at that moment with the matching error even if the
 * work ignores its signal. Work whose `outer` signal is already aborted is not started. Timer and listener are removed when the call settles: a combined
 * AbortSignal.any() with a listener left on it keeps each call's closures alive for good.
 *
 * One promise settled by whichever comes first, rather than Promise.race over a second one: this
 * wraps every tool call, so what it allocates is paid on every call.
 */
export function withDeadline<T>(
  outer: AbortSignal,
  ms: number,
  errors: { timeout: () => Error; cancelled: () => Error },
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  return new Promise<T>((resolve, reject: (reason: Error) => void) => {
    const finish = () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', onCancel);
    };
    const abortWith = (err: Error) => {
      finish();
      ctl.abort(err);
      reject(err);
    };
    const onCancel = () => abortWith(errors.cancelled());
    const timer = setTimeout(() => abortWith(errors.timeout()), ms);
    // Cancelled before it began (while it waited for a lock or a confirmation): it never starts.
    if (outer.aborted) return onCancel();
    outer.addEventListener('abort', onCancel, { once: true });
    let running: Promise<T>;
    try {
      running = work(ctl.signal);
    } catch (err) {
      finish();
      throw err; // the executor turns it into this promise's rejection
    }
    // Settles as the work does, unless the deadline or a cancellation came first.
    running.then(
      (value) => {
        finish();
        resolve(value);
      },
      (err: unknown) => {
        finish();
        reject(err as Error);
      },
    );
  });
}
