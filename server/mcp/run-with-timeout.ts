import { ToolError } from '../errors/tool-error.js';
import { withDeadline } from '../util/with-deadline.js';

/** A tool's run, bounded by its timeout and the client's cancellation, with errors a model can read. */
export function runWithTimeout<T>(toolName: string, clientSignal: AbortSignal, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withDeadline(
    clientSignal,
    timeoutMs,
    {
      timeout: () => new ToolError('timeout', `${toolName} did not finish within ${timeoutMs / 1000} s. The server may be busy; try again later.`),
      cancelled: () => new ToolError('cancelled', `${toolName} was cancelled by the client.`),
    },
    work,
  );
}
