import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { containerActionOutput } from './shared/container-action-output.js';
import { changeContainer } from './shared/change-container.js';
import { quoteTarget, stateText } from '../../backends/docker/container-action.js';

export const dockerUnpause = defineTool({
  name: 'docker_unpause',
  title: 'Unpause a container',
  description:
    'Resumes the frozen processes of a paused container. A container that is not paused is left as it is and ' +
    'the result says so (changed: false); to start a stopped container use docker_start.',
  toolset: 'docker',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ id: containerRef }).strict(),
  output: containerActionOutput,
  target: ({ id }) => ({ kind: 'container', ref: id }),
  describe: ({ id }, target) => `Unpause container ${quoteTarget(target, id)}: resume its frozen processes.`,
  run: ({ id }, ctx) =>
    changeContainer(ctx, id, {
      what: 'Unpausing container',
      plan: (before, name) => {
        if (before.State.Status !== 'paused') {
          const hint = before.State.Running ? '' : ' Use docker_start to start it.';
          return {
            unchanged: `Container "${name}" is not paused (${stateText(before)}); nothing was done.${hint}`,
          };
        }
        return { act: (c, signal) => c.unpause({ abortSignal: signal }) };
      },
      done: (after, name) => `Container "${name}" unpaused; it is ${stateText(after)}.`,
    }),
});
