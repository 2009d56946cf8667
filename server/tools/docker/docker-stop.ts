import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { afterAction, changeState, containerActionOutput, containerName, inspectContainer, quoteTarget, stateText, unchanged } from '../../backends/docker/container-action.js';
import { withDeadline } from '../../util/with-deadline.js';
import { ToolError } from '../../errors/tool-error.js';
import { stopTimeout, graceText, STOP_SLACK_S, MAX_STOP_TIMEOUT_S } from '../../backends/docker/stop-timeout.js';

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
  run: async ({ id, timeout }, ctx) => {
    const docker = await ctx.deps.docker();
    // The container the wrapper resolved, checked and confirmed — not whatever holds the name now.
    const before = await inspectContainer(docker, ctx.target?.id ?? id, ctx.signal);
    const name = containerName(before);
    const state = before.State.Status;
    if (state === 'created' || state === 'exited' || state === 'dead') return unchanged(before, `Container "${name}" is already stopped (${stateText(before)}); nothing was done.`);
    if (state === 'removing') throw new ConflictError(`Container "${name}" is being removed; there is nothing to stop.`);
    const changed = await withDeadline(
      ctx.signal,
      (timeout + STOP_SLACK_S) * 1000,
      { timeout: () => new ToolError('timeout', `Docker did not finish stopping container "${name}" within ${timeout + STOP_SLACK_S} s; it may still be stopping. Check its state before trying again.`), cancelled: () => new ToolError('cancelled', 'The call was cancelled; Docker may still be stopping the container.') },
      (signal) => changeState(`Stopping container "${name}"`, () => docker.getContainer(before.Id).stop({ t: timeout, abortSignal: signal })),
    );
    if (!changed) return unchanged(before, `Container "${name}" is already stopped; nothing was done.`);
    return afterAction(docker, before, ctx.signal, (after) =>
      after.State.Running ? `Docker stopped container "${name}", but it is ${stateText(after)} again (restart policy).` : `Container "${name}" stopped; it is ${stateText(after)}.`,
    );
  },
});
