import type { ToolContext } from '../tools/context.js';
import { ToolError } from '../errors/tool-error.js';

/**
 * Runs `work` with its own AbortController, aborted on client cancellation or after `timeoutMs`.
 * Every timer and listener is removed when the call settles: a combined AbortSignal.any() with a
 * listener left on it keeps each call's closures (and request headers) alive for good.
 */
export async function runWithTimeout<T>(
  toolName: string,
  clientSignal: AbortSignal,
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  let stop!: (err: ToolError) => void;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => {});
  const abortWith = (err: ToolError) => {
    ctl.abort(err);
    stop(err);
  };
  const onCancel = () => abortWith(new ToolError('cancelled', `${toolName} was cancelled by the client.`));
  const timer = setTimeout(
    () => abortWith(new ToolError('timeout', `${toolName} did not finish within ${timeoutMs / 1000} s. The server may be busy; try again later.`)),
    timeoutMs,
  );
  if (clientSignal.aborted) onCancel();
  else clientSignal.addEventListener('abort', onCancel, { once: true });
  try {
    return await Promise.race([work(ctl.signal), stopped]);
  } finally {
    clearTimeout(timer);
    clientSignal.removeEventListener('abort', onCancel);
  }
}

export type Progress = ToolContext['progress'];
