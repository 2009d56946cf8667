import type Docker from 'dockerode';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { defineTool } from '../define-tool.js';
import { containerRequestSchema } from './shared/container-request.js';
import type { ContainerRequest } from '../../backends/docker/container-request.js';
import {
  checkCreatePolicy,
  pathsToResolve,
  type CreatePlan,
} from '../../safety/create-policy/create-policy.js';
import { resolveHostPaths } from '../../util/resolve-host-path.js';
import { formatBytes } from '../../util/byte-size.js';
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

/** What the approver sees: everything the container gets, and what needs a second look. */
function describeCreate(args: ContainerRequest, allowlist: ReadonlyArray<string>): string {
  const plan = checkCreatePolicy(args, { allowlist });
  const envKeys = Array.isArray(args.env)
    ? args.env.map((e) => e.split('=')[0])
    : Object.keys(args.env ?? {});
  const lines = [
    `Create container "${args.name}" from image "${args.image}"${args.start ? ' and start it' : ''} (network ${args.network ?? 'default'}).`,
  ];
  if (plan.refusals.length) lines.push(`WILL BE REFUSED: ${plan.refusals.join('; ')}.`);
  if (plan.attention.length) lines.push(`NEEDS ATTENTION: ${plan.attention.join('; ')}.`);
  const ports = (args.ports ?? []).map((p) =>
    p.host_port
      ? `${p.host_ip ?? '0.0.0.0'}:${p.host_port}→${p.container_port}/${p.protocol}`
      : `${p.container_port}/${p.protocol} (not published)`,
  );
  if (ports.length) lines.push(`Ports: ${ports.join(', ')}.`);
  const mounts = [
    ...(args.binds ?? []).map((b) => `${b.host} → ${b.container} (${b.read_only ? 'ro' : 'rw'})`),
    ...(args.volumes ?? []).map((v) => `volume ${v.name} → ${v.container} (${v.read_only ? 'ro' : 'rw'})`),
  ];
  if (mounts.length) lines.push(`Mounts: ${mounts.join(', ')}.`);
  if (envKeys.length) lines.push(`Environment variables: ${envKeys.join(', ')} (values not shown).`);
  if (args.cap_add?.length) lines.push(`Capabilities added: ${args.cap_add.join(', ')}.`);
  const limits = [
    `memory ${plan.memoryBytes ? formatBytes(plan.memoryBytes) : String(args.memory)}`,
    `processes ${plan.pidsLimit}`,
    ...(args.cpus ? [`CPUs ${args.cpus}`] : []),
  ];
  lines.push(
    `Limits: ${limits.join(', ')}.${plan.defaults.length ? ` Defaults added: ${plan.defaults.join(', ')}.` : ''}`,
  );
  return lines.join('\n');
}

/** Named volumes that exist and are binds of a host folder (local driver, o=bind): the policy checks their folder. */
async function bindVolumeSources(
  docker: Docker,
  req: ContainerRequest,
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const v of req.volumes ?? []) {
    const info = await docker
      .getVolume(v.name)
      .inspect({ abortSignal: signal } as object)
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode === 404) return null;
        throw err;
      });
    const o = info?.Options ?? {};
    if (info && (o.device || /\bbind\b/.test(o.o ?? ''))) out.set(v.name, o.device ?? info.Mountpoint);
  }
  return out;
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

/** The policy verdict from read-only facts (volume definitions, symlinks on disk); throws to refuse. */
async function plan(args: ContainerRequest, ctx: ToolContext): Promise<CreatePlan> {
  const docker = await ctx.deps.docker();
  const list = ctx.deps.layout.bindAllowlist;
  const volumeSources = args.volumes?.length
    ? await dockerCall('Inspecting volumes', () => bindVolumeSources(docker, args, ctx.signal))
    : new Map<string, string>();
  const realpaths = await resolveHostPaths(pathsToResolve(args, list, volumeSources));
  const verdict = checkCreatePolicy(args, {
    allowlist: list,
    realpaths,
    visible: (n) => ctx.visible('container', n),
    volumeSources,
  });
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
  describe: (args, _target, ctx) => describeCreate(args, ctx.deps.layout.bindAllowlist),
  // Before any confirmation: the owner is never asked to approve a container the policy refuses.
  preflight: async (args, ctx) => {
    await plan(args, ctx);
  },
  run: async (args, ctx) => {
    const docker = await ctx.deps.docker();
    // Checked again here: a symlink or volume could have changed while the approval waited.
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
    const body = buildCreateOptions(args, checked, labels);
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
