import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { containerActionOutput } from './shared/container-action-output.js';
import { changeContainer } from './shared/change-container.js';
import { stopTimeout, graceText, STOP_SLACK_S, MAX_STOP_TIMEOUT_S } from './shared/stop-timeout.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { quoteTarget, stateText } from '../../backends/docker/container-action.js';

export const dockerStop = defineTool({
  name: 'docker_stop',
  title: 'Stop a container',
  description:
    'Stops a running (or paused) container the way Docker does: its stop signal (SIGTERM unless the image sets ' +
    'another), then SIGKILL after `timeout` seconds if it has not exited. Stopping a stopped container does ' +
    'nothing and says so (changed: false). Needs confirmation; refused on protected containers. Returns the ' +
    'state and exit code read back from Docker.',
  toolset: 'docker',
  scope: 'operate',
  confirm: 'token',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  // The wrapper's limit must cover the longest stop Docker may take; each call sets its own tighter deadline.
  timeoutMs: (MAX_STOP_TIMEOUT_S + STOP_SLACK_S) * 1000,
  input: z.object({ id: containerRef, timeout: stopTimeout }).strict(),
  output: containerActionOutput,
  target: ({ id }) => ({ kind: 'container', ref: id }),
  describe: ({ id, timeout }, target) => `Stop container ${quoteTarget(target, id)}: ${graceText(timeout)}.`,
  run: ({ id, timeout }, ctx) =>
    changeContainer(ctx, id, {
      what: 'Stopping container',
      plan: (before, name) => {
        const state = before.State.Status;
        if (state === 'created' || state === 'exited' || state === 'dead')
          return {
            unchanged: `Container "${name}" is already stopped (${stateText(before)}); nothing was done.`,
          };
        if (state === 'removing')
          throw new ConflictError(`Container "${name}" is being removed; there is nothing to stop.`);
        return {
          act: (c, signal) => c.stop({ t: timeout, abortSignal: signal }),
          already: `Container "${name}" is already stopped; nothing was done.`,
          deadline: {
            seconds: timeout + STOP_SLACK_S,
            timeout: `Docker did not finish stopping container "${name}" within ${timeout + STOP_SLACK_S} s; it may still be stopping. Check its state before trying again.`,
            cancelled: 'The call was cancelled; Docker may still be stopping the container.',
          },
        };
      },
      done: (after, name) =>
        after.State.Running
          ? `Docker stopped container "${name}", but it is ${stateText(after)} again (restart policy).`
          : `Container "${name}" stopped; it is ${stateText(after)}.`,
    }),
});
