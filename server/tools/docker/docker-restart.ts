import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { containerActionOutput } from './shared/container-action-output.js';
import { changeContainer } from './shared/change-container.js';
import { stopTimeout, graceText, STOP_SLACK_S, MAX_STOP_TIMEOUT_S } from './shared/stop-timeout.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { quoteTarget, stateText } from '../../backends/docker/container-action.js';

export const dockerRestart = defineTool({
  name: 'docker_restart',
  title: 'Restart a container',
  description:
    'Restarts a container: stops it like docker_stop (stop signal, SIGKILL after `timeout` seconds) when it is ' +
    'running or paused, then starts it again. A stopped container is simply started. Needs confirmation; refused ' +
    'on protected containers. Returns the state read back from Docker after the restart.',
  toolset: 'docker',
  scope: 'operate',
  confirm: 'token',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  // The wrapper's limit must cover the longest stop Docker may take; each call sets its own tighter deadline.
  timeoutMs: (MAX_STOP_TIMEOUT_S + STOP_SLACK_S) * 1000,
  input: z.object({ id: containerRef, timeout: stopTimeout }).strict(),
  output: containerActionOutput,
  target: ({ id }) => ({ kind: 'container', ref: id }),
  describe: ({ id, timeout }, target) =>
    `Restart container ${quoteTarget(target, id)}: if it is running, ${graceText(timeout)}; then start it again.`,
  run: ({ id, timeout }, ctx) =>
    changeContainer(ctx, id, {
      what: 'Restarting container',
      plan: (before, name) => {
        if (before.State.Status === 'removing')
          throw new ConflictError(`Container "${name}" is being removed; it cannot be restarted.`);
        // No `already`: a restart is never "nothing to do", whatever Docker answers.
        return {
          act: (c, signal) => c.restart({ t: timeout, abortSignal: signal }),
          deadline: {
            seconds: timeout + STOP_SLACK_S,
            timeout: `Docker did not finish restarting container "${name}" within ${timeout + STOP_SLACK_S} s; check its state before trying again.`,
            cancelled: 'The call was cancelled; Docker may still be restarting the container.',
          },
        };
      },
      done: (after, name) =>
        after.State.Running
          ? `Container "${name}" restarted; it is running.`
          : `Container "${name}" was restarted but is now ${stateText(after)}; its logs should say why.`,
    }),
});
