import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { containerName, quoteTarget } from '../../backends/docker/container-action.js';
import { networkArg } from './shared/network-args.js';
import {
  MODE_DRIVERS,
  connectionResult,
  loadConnection,
  networkNames,
} from '../../backends/docker/network-connection.js';
import { connectionOutput } from './shared/connection-output.js';

const input = z
  .object({
    network: networkArg,
    container: containerRef,
    force: z
      .boolean()
      .default(false)
      .describe("Force Docker to drop the container's endpoint even when its network state is inconsistent"),
  })
  .strict();

export const dockerNetworkDisconnect = defineTool({
  name: 'docker_network_disconnect',
  title: 'Disconnect a container from a network',
  description:
    'Detaches a container from a network; a running container loses that network at once (its other networks ' +
    'stay). A container that is not on the network is refused with the list of networks it is on. Needs ' +
    'confirmation; refused on protected containers.',
  toolset: 'docker',
  scope: 'operate',
  confirm: 'token',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input,
  output: connectionOutput,
  target: ({ container }) => ({ kind: 'container', ref: container }),
  describe: ({ network, container, force }, target) =>
    `Disconnect container ${quoteTarget(target, container)} from network "${network}"${force ? ' (forced, even if its network state is inconsistent)' : ''}; a running container loses that network at once.`,
  run: async ({ network: networkRefArg, container: containerArg, force }, ctx) => {
    const docker = await ctx.deps.docker();
    const { container, network, endpoint } = await loadConnection(
      docker,
      containerArg,
      networkRefArg,
      ctx.signal,
    );
    const name = containerName(container);
    if (!endpoint) {
      const on = networkNames(container);
      throw new ConflictError(
        `Container "${name}" is not connected to network "${network.Name}"; nothing was done. It is on: ${on.length ? on.map((n) => `"${n}"`).join(', ') : 'no network'}.`,
      );
    }
    if (MODE_DRIVERS.has(network.Driver)) {
      throw new ConflictError(
        `Container "${name}" is on the "${network.Name}" network by its network mode; change its network type in the Docker tab instead. Nothing was done.`,
      );
    }
    await dockerCall(`Disconnecting container "${name}" from network "${network.Name}"`, () =>
      docker
        .getNetwork(network.Id)
        .disconnect({ Container: container.Id, Force: force, abortSignal: ctx.signal }),
    );
    const result = await connectionResult(docker, container.Id, network, ctx.signal, (after, ep) => {
      if (ep)
        return `Docker accepted disconnecting container "${name}" from network "${network.Name}", but the container still lists it.`;
      const left = networkNames(after);
      return `Container "${name}" disconnected from network "${network.Name}"; ${left.length ? `it is still on ${left.map((n) => `"${n}"`).join(', ')}` : 'it is now on no network'}.`;
    });
    return result;
  },
});
