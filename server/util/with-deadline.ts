/**
 * Runs `work` with its own AbortController, aborted when `outer` aborts (client cancellation, an
 * enclosing timeout) or after `ms`, and settles at that moment with the matching error even if the
 * work ignores its signal. Timer and listener are removed when the call settles: a combined
 * AbortSignal.any() with a listener left on it keeps each call's closures alive for good.
 */
export async function withDeadline<T>(
  outer: AbortSignal,
  ms: number,
  errors: { timeout: () => Error; cancelled: () => Error },
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  let stop!: (err: Error) => void;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => {});
  const abortWith = (err: Error) => {
    ctl.abort(err);
    stop(err);
  };
  const onCancel = () => abortWith(errors.cancelled());
  const timer = setTimeout(() => abortWith(errors.timeout()), ms);
  if (outer.aborted) onCancel();
  else outer.addEventListener('abort', onCancel, { once: true });
  try {
    return await Promise.race([work(ctl.signal), stopped]);
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onCancel);
  }
}
