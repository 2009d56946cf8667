import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { afterAction, changeState, containerActionOutput, containerName, inspectContainer, quoteTarget, stateText } from '../../backends/docker/container-action.js';
import { withDeadline } from '../../util/with-deadline.js';
import { ToolError } from '../../errors/tool-error.js';
import { stopTimeout, graceText, STOP_SLACK_S, MAX_STOP_TIMEOUT_S } from '../../backends/docker/stop-timeout.js';

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
  describe: ({ id, timeout }, target) => `Restart container ${quoteTarget(target, id)}: if it is running, ${graceText(timeout)}; then start it again.`,
  run: async ({ id, timeout }, ctx) => {
    const docker = await ctx.deps.docker();
    // The container the wrapper resolved, checked and confirmed — not whatever holds the name now.
    const before = await inspectContainer(docker, ctx.target?.id ?? id, ctx.signal);
    const name = containerName(before);
    if (before.State.Status === 'removing') throw new ConflictError(`Container "${name}" is being removed; it cannot be restarted.`);
    await withDeadline(
      ctx.signal,
      (timeout + STOP_SLACK_S) * 1000,
      { timeout: () => new ToolError('timeout', `Docker did not finish restarting container "${name}" within ${timeout + STOP_SLACK_S} s; check its state before trying again.`), cancelled: () => new ToolError('cancelled', 'The call was cancelled; Docker may still be restarting the container.') },
      (signal) => changeState(`Restarting container "${name}"`, () => docker.getContainer(before.Id).restart({ t: timeout, abortSignal: signal })),
    );
    return afterAction(docker, before, ctx.signal, (after) =>
      after.State.Running ? `Container "${name}" restarted; it is running.` : `Container "${name}" was restarted but is now ${stateText(after)}; its logs should say why.`,
    );
  },
});
