import { z } from 'zod';
import type Docker from 'dockerode';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { containerActionOutput } from './shared/container-action-output.js';
import { inspectTarget } from './shared/change-container.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { inspectContainer, quoteTarget } from '../../backends/docker/container-action.js';

const input = z
  .object({
    id: containerRef,
    force: z
      .boolean()
      .default(false)
      .describe(
        'Kill (SIGKILL, no graceful stop) and remove a running or paused container. Without it, such a container is refused',
      ),
    volumes: z
      .boolean()
      .default(false)
      .describe(
        "Also delete the container's anonymous volumes. Named volumes and bind mounts (appdata) are never deleted",
      ),
  })
  .strict();

/** What removal does, from the arguments alone (the prompt is shown before the state is known). */
function describeRemoval(
  { id, force, volumes }: z.infer<typeof input>,
  target: { name: string; id: string } | null,
): string {
  const running = force
    ? 'if it is running, it is killed first (SIGKILL, no graceful stop)'
    : 'refused if it is running or paused (force is off)';
  const vols = volumes
    ? 'its anonymous volumes are deleted too (named volumes and bind mounts are kept)'
    : 'its anonymous volumes are kept';
  return `Remove container ${quoteTarget(target, id)} and its writable layer — ${running}; ${vols}.`;
}

export const dockerRemove = defineTool({
  name: 'docker_remove',
  title: 'Remove a container',
  description:
    'Deletes a container and its writable layer (anything written inside it outside volumes is lost). A running ' +
    'or paused container is refused unless `force` is true, which kills it without a graceful stop — prefer ' +
    'docker_stop first. Anonymous volumes are kept unless `volumes` is true; named volumes, bind mounts and the ' +
    "image are never deleted. Needs the owner's approval; refused on protected containers.",
  toolset: 'docker',
  scope: 'admin',
  confirm: 'approve',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  input,
  output: containerActionOutput,
  target: ({ id }) => ({ kind: 'container', ref: id }),
  describe: describeRemoval,
  run: async ({ id, force, volumes }, ctx) => {
    const { docker, before, name } = await inspectTarget(ctx, id);
    const state = before.State.Status;
    if (state === 'removing') throw new ConflictError(`Container "${name}" is already being removed.`);
    if (!force && (state === 'running' || state === 'paused' || state === 'restarting')) {
      throw new ConflictError(
        `Container "${name}" is ${state}; nothing was done. Stop it first with docker_stop (a graceful stop), or call docker_remove with force: true to kill and remove it.`,
      );
    }
    await dockerCall(`Removing container "${name}"`, () =>
      docker
        .getContainer(before.Id)
        .remove({ force, v: volumes, abortSignal: ctx.signal } as Docker.ContainerRemoveOptions),
    );
    const gone = await inspectContainer(docker, before.Id, ctx.signal).then(
      () => false,
      (err: unknown) => {
        if (err instanceof NotFoundError) return true;
        throw err;
      },
    );
    const killed =
      state === 'running' || state === 'paused' || state === 'restarting'
        ? ' It was killed first (force).'
        : '';
    const vols = volumes ? 'its anonymous volumes were deleted too' : 'its anonymous volumes were kept';
    return {
      name,
      id: before.Id,
      previousState: state,
      state: gone ? 'removed' : 'removing',
      changed: true,
      message: gone
        ? `Container "${name}" removed; ${vols}.${killed}`
        : `Docker accepted the removal of container "${name}" and is still removing it.${killed}`,
    };
  },
});
