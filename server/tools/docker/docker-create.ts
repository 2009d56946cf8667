import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { defineTool } from '../define-tool.js';
import { containerRequestSchema } from './shared/container-request.js';
import type { ContainerRequest } from '../../backends/docker/container-request.js';
import {
  checkCreatePolicy,
  pathsToResolve,
  type CreatePlan,
  type CreatePolicyOptions,
} from '../../safety/create-policy/create-policy.js';
import { readVolumeHostSources, type VolumeHostSource } from '../../backends/docker/volume-host-source.js';
import { readVolumesFromSources, type VolumesFromSource } from '../../backends/docker/inherited-mounts.js';
import { readImageCommand } from '../../backends/docker/effective-command.js';
import { describeCreate } from './shared/create-description.js';
import { resolveHostPaths } from '../../util/resolve-host-path.js';
import { buildCreateOptions } from '../../backends/docker/container-spec.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { reasonOf } from '../../backends/docker/recreate-container.js';
import {
  DOCKERMAN_MANAGED_LABEL,
  isTemplatesDir,
  renderUnraidTemplate,
  writeUnraidTemplate,
} from '../../backends/docker/unraid-template.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { PolicyDeniedError } from '../../errors/policy-denied-error.js';
import { ToolError } from '../../errors/tool-error.js';

const output = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  state: z.string().describe('Docker state after the call: created, running, exited…'),
  limits: z.object({ memoryBytes: z.number(), pidsLimit: z.number(), nanoCpus: z.number().nullable() }),
  defaultsApplied: z.array(z.string()).describe('Protections added because the request did not set them'),
  needsAttention: z
    .array(z.string())
    .describe('Options a human had to look at: devices, GPUs, host ports, sysctls, volumes_from'),
  binds: z.array(
    z.object({ host: z.string(), resolvedHost: z.string(), container: z.string(), readOnly: z.boolean() }),
  ),
  template: z
    .object({ written: z.boolean(), path: z.string().nullable(), note: z.string() })
    .describe('The Unraid (dockerMan) user template'),
});

/**
 * What the policy needs read beforehand, so it stays pure: the named volumes and the `volumes_from`
 * containers as Docker has them, and every host path they and the binds lead to, symlinks resolved.
 * Reads only.
 */
async function readFacts(args: ContainerRequest, ctx: ToolContext): Promise<CreatePolicyOptions> {
  const docker = await ctx.deps.docker();
  const allowlist = ctx.deps.layout.bindAllowlist;
  const volumeSources = args.volumes?.length
    ? await dockerCall('Inspecting volumes', () =>
        readVolumeHostSources(
          docker,
          (args.volumes ?? []).map((v) => v.name),
          ctx.signal,
        ),
      )
    : new Map<string, VolumeHostSource>();
  const volumesFrom = args.volumes_from?.length
    ? await readVolumesFromSources(
        docker,
        args.volumes_from.map((entry) => entry.split(':')[0] as string),
        ctx.signal,
      )
    : new Map<string, VolumesFromSource | null>();
  const realpaths = await resolveHostPaths(pathsToResolve(args, allowlist, { volumeSources, volumesFrom }));
  return { allowlist, realpaths, visible: (n) => ctx.visible('container', n), volumeSources, volumesFrom };
}

/** What the approver sees: everything the container gets, and what needs a second look. Reads only. */
async function describe(args: ContainerRequest, ctx: ToolContext): Promise<string> {
  const docker = await ctx.deps.docker();
  const facts = await readFacts(args, ctx);
  const image = await dockerCall(`Looking up image "${args.image}"`, () =>
    readImageCommand(docker, args.image),
  );
  return describeCreate(args, checkCreatePolicy(args, facts), facts, image);
}

function refuse(plan: CreatePlan): void {
  if (plan.refusals.length) {
    const also = plan.invalid.length ? ` Also invalid: ${plan.invalid.join('; ')}.` : '';
    throw new PolicyDeniedError(
      'create_policy',
      `docker_create refused — nothing was sent to Docker. ${plan.refusals.join('; ')}.${also} These options are refused whatever the confirmation setting; remove or change them and call docker_create again.`,
    );
  }
  if (plan.invalid.length)
    throw new InvalidInputError(`Invalid arguments for docker_create: ${plan.invalid.join('; ')}.`);
}

/** The policy verdict on everything the container would get (read-only facts read first); throws to refuse. */
async function plan(args: ContainerRequest, ctx: ToolContext): Promise<CreatePlan> {
  const verdict = checkCreatePolicy(args, await readFacts(args, ctx));
  refuse(verdict);
  return verdict;
}

export const dockerCreate = defineTool({
  name: 'docker_create',
  title: 'Create a container',
  description:
    'Creates (and by default starts) a container from an image already on the server, from a structured ' +
    'definition: image, name, command, env, labels, ports, binds, volumes, network, restart policy, limits, ' +
    'devices, GPUs. Refused outright: privileged, host network/pid/ipc/uts/userns/cgroupns, extra ' +
    'capabilities, turning off seccomp/AppArmor, and binds outside the allowed folders (by default folders ' +
    'inside /mnt/user/appdata/ and /mnt/user/<share>/; never the Docker socket, /boot, system folders or a ' +
    'whole disk). Adds no-new-privileges, an init process, a 1 GiB memory limit and a 512-process limit ' +
    'unless set. Devices, GPUs, host ports, non-network sysctls and volumes_from are pointed out to the ' +
    'approver. On Unraid it also writes the Docker tab template (my-<name>.xml). Pull the image first with docker_pull.',
  toolset: 'docker',
  scope: 'admin',
  confirm: 'approve',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  timeoutMs: 120_000,
  input: containerRequestSchema,
  output,
  describe: (args, _target, ctx) => describe(args, ctx),
  // Before any confirmation: the owner is never asked to approve a container the policy refuses.
  preflight: async (args, ctx) => {
    await plan(args, ctx);
  },
  run: async (args, ctx) => {
    const docker = await ctx.deps.docker();
    // Checked again here: a symlink, volume or volumes_from container could have changed while the approval waited.
    const checked = await plan(args, ctx);

    const image = await dockerCall(`Looking up image "${args.image}"`, () =>
      docker.getImage(args.image).inspect(),
    ).catch((err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err;
      throw new NotFoundError(
        `Image "${args.image}" is not on this server, and creating a container never downloads one. Pull it first with docker_pull, then call docker_create again.`,
      );
    });

    const templatesDir = ctx.deps.layout.dockerTemplatesDir;
    const unraid = await isTemplatesDir(templatesDir);
    const labels: Record<string, string> =
      unraid && !args.labels?.[DOCKERMAN_MANAGED_LABEL] ? { [DOCKERMAN_MANAGED_LABEL]: 'dockerman' } : {};
    // volumes_from by the full IDs the policy checked: a container that takes a checked name (or ID
    // prefix) after the check is never the one Docker copies mounts from.
    const body = buildCreateOptions({ ...args, volumes_from: checked.volumesFrom }, checked, labels);
    const container = await dockerCall(`Creating container "${args.name}"`, () =>
      docker.createContainer(body),
    );
    if (args.start) {
      try {
        await container.start();
      } catch (err) {
        await container.remove({ force: true }).catch(() => {});
        throw new ToolError(
          'start_failed',
          `Container "${args.name}" was created but did not start (${reasonOf(err)}); it was removed again, nothing is left behind.`,
        );
      }
    }
    const info = await dockerCall(`Inspecting container "${args.name}"`, () => container.inspect());

    let template: z.infer<typeof output>['template'] = {
      written: false,
      path: null,
      note: `not an Unraid host (no ${templatesDir})`,
    };
    if (unraid) {
      try {
        const path = await writeUnraidTemplate(
          templatesDir,
          args.name,
          renderUnraidTemplate(args, checked, ctx.deps.now()),
        );
        template = { written: true, path, note: 'the container can be edited and updated in the Docker tab' };
      } catch (err) {
        ctx.deps.log.warn('writing the Unraid template failed', { name: args.name, err });
        template = {
          written: false,
          path: null,
          note: `the template could not be written (${(err as NodeJS.ErrnoException).code ?? 'error'}); the container works, but the Docker tab cannot edit it`,
        };
      }
    }
    return {
      id: info.Id,
      name: args.name,
      image: args.image,
      imageId: image.Id,
      state: info.State.Status,
      limits: {
        memoryBytes: info.HostConfig.Memory ?? checked.memoryBytes,
        pidsLimit: info.HostConfig.PidsLimit ?? checked.pidsLimit,
        nanoCpus: info.HostConfig.NanoCpus || null,
      },
      defaultsApplied: checked.defaults,
      needsAttention: checked.attention,
      binds: checked.binds.map((b) => ({
        host: b.host,
        resolvedHost: b.resolved,
        container: b.container,
        readOnly: b.readOnly,
      })),
      template,
    };
  },
});
