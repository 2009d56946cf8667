import { ServiceShutdown, shuttingDownError } from '../../errors/service-shutdown.js';
import { ToolError } from '../../errors/tool-error.js';
import { withDeadline } from '../../util/with-deadline.js';
import type { Step } from './tool-call.js';

/**
 * The tool runs under a deadline (the settings' tool timeout, or the tool's own longer one) and the
 * client's cancellation. A call ended by the service shutting down says so, and whether the tool had
 * started (so the client and the audit log know it may still complete).
 */
export const limitTime: Step<unknown> = (next) => async (call) => {
  const name = call.tool.name;
  const timeoutMs = Math.max(call.settings.toolTimeoutMs, call.tool.timeoutMs ?? 0);
  let started = false;
  return withDeadline(
    call.req.signal,
    timeoutMs,
    {
      timeout: () =>
        new ToolError(
          'timeout',
          `${name} did not finish within ${timeoutMs / 1000} s. The server may be busy; try again later.`,
        ),
      cancelled: () =>
        call.req.signal.reason instanceof ServiceShutdown
          ? shuttingDownError({
              tool: name,
              target: call.target?.name ?? call.target?.ref ?? null,
              writing: call.writing,
              work: started ? 'started' : 'not_started',
            })
          : new ToolError('cancelled', `${name} was cancelled by the client.`),
    },
    (signal) => {
      started = true;
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
