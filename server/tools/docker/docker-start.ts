import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { afterAction, changeState, containerActionOutput, containerName, inspectContainer, quoteTarget, stateText, unchanged } from '../../backends/docker/container-action.js';

export const dockerStart = defineTool({
  name: 'docker_start',
  title: 'Start a container',
  description:
    'Starts a stopped (created or exited) container. Starting a container that is already running does nothing ' +
    'and says so (changed: false). A paused container is resumed with docker_unpause, not started. Returns the ' +
    'state read back from Docker after the start: if the container exits at once, the state and exit code say so ' +
    'and its logs tell why.',
  toolset: 'docker',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ id: containerRef }).strict(),
  output: containerActionOutput,
  target: ({ id }) => ({ kind: 'container', ref: id }),
  describe: ({ id }, target) => `Start container ${quoteTarget(target, id)}.`,
  run: async ({ id }, ctx) => {
    const docker = await ctx.deps.docker();
    // The container the wrapper resolved, checked and confirmed — not whatever holds the name now.
    const before = await inspectContainer(docker, ctx.target?.id ?? id, ctx.signal);
    const name = containerName(before);
    const state = before.State.Status;
    if (state === 'running' || state === 'restarting') return unchanged(before, `Container "${name}" is already ${state}; nothing was done.`);
    if (state === 'paused') throw new ConflictError(`Container "${name}" is paused, not stopped: resume it with docker_unpause.`);
    if (state === 'removing') throw new ConflictError(`Container "${name}" is being removed; it cannot be started.`);
    const changed = await changeState(`Starting container "${name}"`, () => docker.getContainer(before.Id).start({ abortSignal: ctx.signal }));
    if (!changed) return unchanged(before, `Container "${name}" is already running; nothing was done.`);
    return afterAction(docker, before, ctx.signal, (after) =>
      after.State.Running ? `Container "${name}" started; it is running.` : `Container "${name}" was started but is now ${stateText(after)}; its logs should say why.`,
    );
  },
});
