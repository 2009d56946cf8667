import { ToolError } from '../../errors/tool-error.js';
import { withDeadline } from '../../util/with-deadline.js';
import type { Step } from './tool-call.js';

/** The tool runs under a deadline (the settings' tool timeout, or the tool's own longer one) and the client's cancellation. */
export const limitTime: Step<unknown> = (next) => async (call) => {
  const name = call.tool.name;
  const timeoutMs = Math.max(call.settings.toolTimeoutMs, call.tool.timeoutMs ?? 0);
  return withDeadline(
    call.req.signal,
    timeoutMs,
    {
      timeout: () =>
        new ToolError(
          'timeout',
          `${name} did not finish within ${timeoutMs / 1000} s. The server may be busy; try again later.`,
        ),
      cancelled: () => new ToolError('cancelled', `${name} was cancelled by the client.`),
    },
    (signal) => {
      const running = next({ ...call, signal });
      const work = call.work;
      if (work) {
        work.promise = running;
        const ended = () => (work.ended = true);
        running.then(ended, ended);
      }
      return running;
    },
  );
};
