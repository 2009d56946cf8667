import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { afterAction, changeState, containerActionOutput, containerName, inspectContainer, quoteTarget, stateText, unchanged } from '../../backends/docker/container-action.js';

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
  run: async ({ id }, ctx) => {
    const docker = await ctx.deps.docker();
    // The container the wrapper resolved, checked and confirmed — not whatever holds the name now.
    const before = await inspectContainer(docker, ctx.target?.id ?? id, ctx.signal);
    const name = containerName(before);
    if (before.State.Status !== 'paused') {
      const hint = before.State.Running ? '' : ' Use docker_start to start it.';
      return unchanged(before, `Container "${name}" is not paused (${stateText(before)}); nothing was done.${hint}`);
    }
    await changeState(`Unpausing container "${name}"`, () => docker.getContainer(before.Id).unpause({ abortSignal: ctx.signal }));
    return afterAction(docker, before, ctx.signal, (after) => `Container "${name}" unpaused; it is ${stateText(after)}.`);
  },
});
