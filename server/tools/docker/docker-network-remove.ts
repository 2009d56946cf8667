import { z } from 'zod';
import type Docker from 'dockerode';
import { defineTool } from '../define-tool.js';
import { networkRef } from './shared/container-ref.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { resolveNetwork } from '../../backends/docker/resolve-network.js';
import { PREDEFINED_NETWORKS } from './shared/network-args.js';
import { MODE_DRIVERS } from '../../backends/docker/network-connection.js';
import type { ToolContext } from '../context.js';

const output = z.object({
  name: z.string(),
  id: z.string().describe('Full network ID'),
  state: z
    .enum(['removed', 'present'])
    .describe('"removed", or "present" if Docker still lists the network after accepting the removal'),
  changed: z.boolean(),
  message: z.string(),
});

/** `"web", "db" and 2 hidden by filters` — never names a container the owner's filters hide. */
function namesOf(names: string[], ctx: ToolContext): string {
  const shown = names.filter((n) => ctx.visible('container', n)).map((n) => `"${n}"`);
  const hidden = names.length - shown.length;
  return [
    ...shown,
    ...(hidden ? [`${hidden} container${hidden > 1 ? 's' : ''} hidden by the filters`] : []),
  ].join(', ');
}

export const dockerNetworkRemove = defineTool({
  name: 'docker_network_remove',
  title: 'Remove a Docker network',
  description:
    'Deletes a user-defined network. Refused while any container is attached to it — running or stopped ' +
    '(a stopped container still configured for a deleted network can no longer start): disconnect them first ' +
    "with docker_network_disconnect. Docker's predefined bridge, host and none networks cannot be removed. " +
    "Needs the owner's approval.",
  toolset: 'docker',
  scope: 'admin',
  confirm: 'approve',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  input: z.object({ id: networkRef }).strict(),
  output,
  target: ({ id }) => ({ kind: 'network', ref: id }),
  describe: ({ id }, target) =>
    `Remove network ${target ? `"${target.name}" (${target.id.slice(0, 12)})` : `"${id}"`}; refused if any container, running or stopped, is still attached to it.`,
  run: async ({ id }, ctx) => {
    const docker = await ctx.deps.docker();
    const resolved = await resolveNetwork(docker, id, ctx.signal);
    const network = await dockerCall(`Network "${resolved.name}"`, () =>
      docker.getNetwork(resolved.id).inspect(),
    );
    const name = network.Name;
    if (PREDEFINED_NETWORKS.has(name) || MODE_DRIVERS.has(network.Driver)) {
      throw new ConflictError(`"${name}" is one of Docker's predefined networks and cannot be removed.`);
    }
    const attached = await dockerCall('Listing containers', () =>
      docker.listContainers({
        all: true,
        filters: { network: [network.Id, network.Name] },
        abortSignal: ctx.signal,
      } as Docker.ContainerListOptions),
    );
    if (attached.length > 0) {
      const names = attached.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, ''));
      throw new ConflictError(
        `Network "${name}" still has ${attached.length} container${attached.length > 1 ? 's' : ''} attached (${namesOf(names, ctx)}); nothing was done. ` +
          'Disconnect them with docker_network_disconnect first (stopped ones too: they could not start without the network).',
      );
    }
    await dockerCall(`Removing network "${name}"`, () =>
      docker.getNetwork(network.Id).remove({ abortSignal: ctx.signal }),
    );
    // Network inspect takes no abort signal in dockerode; it is one short call.
    const gone = await docker
      .getNetwork(network.Id)
      .inspect()
      .then(
        () => false,
        (err: { statusCode?: number }) => {
          if (err.statusCode === 404) return true;
          throw err;
        },
      );
    return gone
      ? {
          name,
          id: network.Id,
          state: 'removed' as const,
          changed: true,
          message: `Network "${name}" removed.`,
        }
      : {
          name,
          id: network.Id,
          state: 'present' as const,
          changed: true,
          message: `Docker accepted the removal of network "${name}" but still lists it.`,
        };
  },
});
