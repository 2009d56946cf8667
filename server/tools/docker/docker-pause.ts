import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { containerActionOutput } from './shared/container-action-output.js';
import { changeContainer } from './shared/change-container.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { quoteTarget, stateText } from '../../backends/docker/container-action.js';

export const dockerPause = defineTool({
  name: 'docker_pause',
  title: 'Pause a container',
  description:
    'Freezes every process of a running container (cgroup freezer) until docker_unpause; memory stays allocated ' +
    'and nothing is stopped. Pausing a paused container does nothing and says so (changed: false); a container ' +
    'that is not running cannot be paused. Refused on protected containers.',
  toolset: 'docker',
  scope: 'operate',
  confirm: 'none',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ id: containerRef }).strict(),
  output: containerActionOutput,
  target: ({ id }) => ({ kind: 'container', ref: id }),
  describe: ({ id }, target) =>
    `Pause container ${quoteTarget(target, id)}: freeze all its processes until it is unpaused.`,
  run: ({ id }, ctx) =>
    changeContainer(ctx, id, {
      what: 'Pausing container',
      plan: (before, name) => {
        if (before.State.Status === 'paused')
          return { unchanged: `Container "${name}" is already paused; nothing was done.` };
        if (before.State.Status !== 'running')
          throw new ConflictError(
            `Container "${name}" is not running (${stateText(before)}); only a running container can be paused.`,
          );
        return { act: (c, signal) => c.pause({ abortSignal: signal }) };
      },
      done: (after, name) => `Container "${name}" paused; it is ${stateText(after)}.`,
    }),
});
