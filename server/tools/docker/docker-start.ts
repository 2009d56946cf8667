import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { containerActionOutput } from './shared/container-action-output.js';
import { changeContainer } from './shared/change-container.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { quoteTarget, stateText } from '../../backends/docker/container-action.js';

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
  run: ({ id }, ctx) =>
    changeContainer(ctx, id, {
      what: 'Starting container',
      plan: (before, name) => {
        const state = before.State.Status;
        if (state === 'running' || state === 'restarting')
          return { unchanged: `Container "${name}" is already ${state}; nothing was done.` };
        if (state === 'paused')
          throw new ConflictError(
            `Container "${name}" is paused, not stopped: resume it with docker_unpause.`,
          );
        if (state === 'removing')
          throw new ConflictError(`Container "${name}" is being removed; it cannot be started.`);
        return {
          act: (c, signal) => c.start({ abortSignal: signal }),
          already: `Container "${name}" is already running; nothing was done.`,
        };
      },
      done: (after, name) =>
        after.State.Running
          ? `Container "${name}" started; it is running.`
          : `Container "${name}" was started but is now ${stateText(after)}; its logs should say why.`,
    }),
});
