import type Docker from 'dockerode';
import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { increasingProgress } from './shared/increasing-progress.js';
import { parseImageReference, type ImageReference } from '../../backends/docker/image-reference.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { pullImage, RegistryUnreachableError } from '../../backends/docker/pull-image.js';
import { recreateContainer, recreatePlan } from '../../backends/docker/recreate-container.js';
import { findUserTemplate } from '../../backends/docker/unraid-template.js';
import { canRunScript, runUpdateScript } from '../../backends/docker/unraid-update-script.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { ToolError } from '../../errors/tool-error.js';

const TIMEOUT_MS = 10 * 60_000;
/** Progress scale: the pull takes the first 60 %, the swap the rest. */
const PULL_SHARE = 60;

const output = z.object({
  name: z.string(),
  containerId: z.string().describe('ID of the container now holding the name'),
  image: z.string(),
  method: z
    .enum(['unraid_update_container', 'recreate', 'none'])
    .describe(
      "How it was updated: Unraid's own script (from the Docker tab template), a re-create keeping the configuration, or not at all",
    ),
  updated: z.boolean(),
  previousImageId: z.string(),
  imageId: z.string(),
  pull: z.object({
    status: z.enum(['downloaded', 'up_to_date', 'offline_local_image']),
    message: z.string(),
  }),
  oldContainerRemoved: z.boolean(),
  oldImageRemoved: z
    .boolean()
    .describe(
      'The previous image, once no name and no container used it, was removed (as the Docker tab does)',
    ),
  message: z.string(),
});
type Output = z.infer<typeof output>;

async function imageId(docker: Docker, ref: string): Promise<string | null> {
  return docker
    .getImage(ref)
    .inspect()
    .then(
      (i) => i.Id,
      (err: { statusCode?: number }) => {
        if (err.statusCode === 404) return null;
        throw err;
      },
    );
}

/** Removes the previous image when nothing refers to it any more (no tag, no container). */
async function removeOrphan(docker: Docker, id: string, current: string): Promise<boolean> {
  if (id === current) return false;
  const info = await docker
    .getImage(id)
    .inspect()
    .catch(() => null);
  if (!info || (info.RepoTags ?? []).some((t) => t !== '<none>:<none>')) return false;
  const users = await docker.listContainers({ all: true, filters: { ancestor: [id] } }).catch(() => [{}]);
  if (users.length) return false;
  return docker
    .getImage(id)
    .remove()
    .then(
      () => true,
      () => false,
    );
}

/** The reference the container was created from, checked with Docker's grammar; refused when it cannot be pulled. */
function pullableImage(name: string, image: string): ImageReference {
  const parsed = parseImageReference(image);
  if (parsed.ok) return parsed.ref;
  if (/^(?:sha256:)?[a-f0-9]{12,64}$/.test(image))
    throw new ConflictError(
      `Container "${name}" was created from an image ID (${image.slice(0, 19)}), not a name and tag, so there is nothing to pull. Re-create it from a named image instead.`,
    );
  throw new ConflictError(
    `Container "${name}" cannot be updated: ${parsed.error}. Re-create it from a valid image name instead.`,
  );
}

export const dockerUpdate = defineTool({
  name: 'docker_update',
  title: 'Update a container',
  description:
    'Updates a container to the newest version of its image, keeping its configuration. On Unraid, for a ' +
    "container with a Docker tab template, it runs Unraid's own update (update_container). Otherwise it pulls " +
    'the image (with progress) and re-creates the container with the same settings, networks and name, keeping ' +
    'the old container until the new one runs and putting the old one back if anything fails. When the registry ' +
    'cannot be reached but the image is on the server, it says so and continues with the local image. Does ' +
    'nothing when the image did not change, unless force is true.',
  toolset: 'docker',
  scope: 'admin',
  confirm: 'approve',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  timeoutMs: TIMEOUT_MS,
  input: z
    .object({
      id: containerRef,
      force: z.boolean().default(false).describe('Re-create even when the image did not change'),
    })
    .strict(),
  output,
  target: ({ id }) => ({ kind: 'container', ref: id }),
  // An image that cannot be pulled is refused before anyone is asked to approve the update.
  preflight: async ({ id }, ctx) => {
    const docker = await ctx.deps.docker();
    const info = await dockerCall(`Inspecting container "${id}"`, () => docker.getContainer(id).inspect());
    pullableImage(info.Name.replace(/^\//, ''), info.Config.Image);
  },
  describe: ({ id, force }, target) =>
    `Update container "${target?.name ?? id}": pull its image and re-create it with the same configuration${force ? ' (even if the image did not change)' : ''}. The container restarts; the old one is kept until the new one runs.`,
  run: async ({ id, force }, ctx): Promise<Output> => {
    const docker = await ctx.deps.docker();
    const info = await dockerCall(`Inspecting container "${id}"`, () => docker.getContainer(id).inspect());
    const name = info.Name.replace(/^\//, '');
    const ref = pullableImage(name, info.Config.Image);
    const report = increasingProgress(ctx.progress);
    const progress = (pct: number, message: string) => report(Math.round(pct * 10) / 10, message);
    const script = ctx.deps.layout.updateContainerScript;
    const unraid =
      (await canRunScript(script)) &&
      (await findUserTemplate(ctx.deps.layout.dockerTemplatesDir, name)) !== null;

    progress(0, `Pulling ${ref.reference} from ${ref.registry}`);
    let pull: Output['pull'];
    try {
      const r = await pullImage(docker, ref, {
        signal: ctx.signal,
        onProgress: (s) => progress((s.percent * PULL_SHARE) / 100, s.message),
      });
      pull = {
        status: r.status,
        message:
          r.status === 'up_to_date'
            ? `${ref.reference} is up to date`
            : `downloaded a newer ${ref.reference}`,
      };
    } catch (err) {
      // An offline server: the image on disk is what there is. Unraid's script would need the pull itself.
      if (!(err instanceof RegistryUnreachableError) || unraid || !(await imageId(docker, ref.reference)))
        throw err;
      pull = {
        status: 'offline_local_image',
        message: `${err.message} Continuing with the image already on the server.`,
      };
      progress(PULL_SHARE, pull.message);
    }
    const newImage = await imageId(docker, ref.reference);
    if (!newImage) throw new NotFoundError(`Image ${ref.reference} is not on the server after the pull.`);
    const base = { name, image: ref.reference, previousImageId: info.Image, imageId: newImage, pull };
    if (newImage === info.Image && !force) {
      return {
        ...base,
        containerId: info.Id,
        method: 'none',
        updated: false,
        oldContainerRemoved: false,
        oldImageRemoved: false,
        message: `"${name}" already runs the newest ${ref.reference}; nothing to do (force: true re-creates it anyway).`,
      };
    }

    if (unraid) {
      progress(PULL_SHARE + 5, `Running Unraid's update_container for "${name}"`);
      await runUpdateScript(script, name, { signal: ctx.signal, timeoutMs: TIMEOUT_MS });
      const after = await docker
        .getContainer(name)
        .inspect()
        .catch(() => null);
      if (!after)
        throw new ToolError(
          'update_failed',
          `Unraid's update_container ran, but there is no container "${name}" afterwards. Check the Docker tab.`,
        );
      if (info.State.Running && !after.State.Running)
        throw new ToolError(
          'update_failed',
          `Unraid's update_container re-created "${name}", but it is not running. Check its log in the Docker tab.`,
        );
      const removed = await removeOrphan(docker, info.Image, after.Image);
      progress(100, `Updated "${name}"`);
      return {
        ...base,
        imageId: after.Image,
        containerId: after.Id,
        method: 'unraid_update_container',
        updated: true,
        oldContainerRemoved: after.Id !== info.Id,
        oldImageRemoved: removed,
        message: `Updated "${name}" with Unraid's update_container (from its Docker tab template).`,
      };
    }

    const oldImage = await docker
      .getImage(info.Image)
      .inspect()
      .catch(() => null);
    const steps = ['Stopping', 'Keeping', 'Creating', 'Starting', 'Removing'];
    const result = await recreateContainer(docker, info, recreatePlan(info, ref.reference, oldImage), {
      signal: ctx.signal,
      settleMs: ctx.deps.recreate.settleMs,
      now: ctx.deps.now(),
      adjust: ctx.deps.recreate.adjustNewContainer,
      step: (message) =>
        progress(
          PULL_SHARE +
            ((steps.findIndex((s) => message.startsWith(s)) + 1) * (100 - PULL_SHARE)) / (steps.length + 1),
          message,
        ),
    });
    const removed = await removeOrphan(docker, info.Image, newImage);
    progress(100, `Updated "${name}"`);
    return {
      ...base,
      containerId: result.id,
      method: 'recreate',
      updated: true,
      oldContainerRemoved: result.oldRemoved,
      oldImageRemoved: removed,
      message: `Re-created "${name}" on ${ref.reference} with its previous configuration${result.oldRemoved ? '' : ' (the old container could not be removed; remove it by hand)'}.`,
    };
  },
});
