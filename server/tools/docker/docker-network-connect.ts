import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { containerName, quoteTarget } from '../../backends/docker/container-action.js';
import {
  MODE_DRIVERS,
  assertJoinable,
  connectionResult,
  loadConnection,
} from '../../backends/docker/network-connection.js';
import { ipv4Arg, networkArg } from './shared/network-args.js';
import {
  broadcastOf,
  contains,
  formatSubnet,
  parseCidr,
  parseIpv4,
  subnetOf,
} from '../../backends/docker/ipv4.js';
import type Docker from 'dockerode';
import type { ToolContext } from '../context.js';
import { connectionOutput } from './shared/connection-output.js';

const input = z
  .object({
    network: networkArg,
    container: containerRef,
    ipv4_address: ipv4Arg
      .optional()
      .describe(
        "Static IPv4 address for the container on this network; must lie in the network's subnet (a subnet set when the network was created)",
      ),
    aliases: z
      .array(
        z
          .string()
          .max(63, { abort: true })
          .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'an alias is a DNS name: letters, digits, "_", "." and "-"'),
      )
      .max(16)
      .default([])
      .describe('Extra DNS names for the container on this network'),
  })
  .strict();

export const dockerNetworkConnect = defineTool({
  name: 'docker_network_connect',
  title: 'Connect a container to a network',
  description:
    'Attaches a container to a network (running or stopped: a stopped one joins when it starts), optionally with ' +
    'a static IPv4 address and DNS aliases. A container already on the network is refused (disconnect it first ' +
    "to change its address); so is one whose network mode is host, none or another container's. Needs confirmation.",
  toolset: 'docker',
  scope: 'operate',
  confirm: 'token',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input,
  output: connectionOutput,
  target: ({ container }) => ({ kind: 'container', ref: container }),
  describe: ({ network, container, ipv4_address, aliases }, target) =>
    `Connect container ${quoteTarget(target, container)} to network "${network}"` +
    `${ipv4_address ? ` with the static address ${ipv4_address}` : ''}${aliases.length ? `${ipv4_address ? ' and' : ' with'} the aliases ${aliases.join(', ')}` : ''}.`,
  run: async ({ network: networkRefArg, container: containerArg, ipv4_address: address, aliases }, ctx) => {
    const docker = await ctx.deps.docker();
    const { container, network, endpoint } = await loadConnection(
      docker,
      containerArg,
      networkRefArg,
      ctx.signal,
    );
    const name = containerName(container);
    if (MODE_DRIVERS.has(network.Driver)) {
      throw new InvalidInputError(
        `"${network.Name}" is Docker's ${network.Name} network: a container is on it by its network mode, not by connecting. Nothing was done.`,
      );
    }
    if (network.ConfigOnly)
      throw new InvalidInputError(
        `Network "${network.Name}" only holds settings for other networks; containers cannot join it. Nothing was done.`,
      );
    assertJoinable(container);
    if (endpoint) {
      throw new ConflictError(
        `Container "${name}" is already connected to network "${network.Name}"; nothing was done. To change its address or aliases, disconnect it first.`,
      );
    }
    if (address) checkAddress(address, network, ctx);
    await dockerCall(`Connecting container "${name}" to network "${network.Name}"`, () =>
      docker.getNetwork(network.Id).connect({
        Container: container.Id,
        EndpointConfig: {
          ...(address ? { IPAMConfig: { IPv4Address: address } } : {}),
          ...(aliases.length ? { Aliases: aliases } : {}),
        },
        abortSignal: ctx.signal,
      } as Docker.NetworkConnectOptions),
    );
    return connectionResult(docker, container.Id, network, ctx.signal, (after, ep) => {
      if (!ep)
        return `Docker accepted connecting container "${name}" to network "${network.Name}", but the container does not list it.`;
      const addr = after.State.Running
        ? ep.IPAddress
          ? ` with address ${ep.IPAddress}`
          : ''
        : address
          ? `; it gets ${address} when it starts`
          : '; it gets an address when it starts';
      return `Container "${name}" connected to network "${network.Name}"${addr}.`;
    });
  },
});

/** A static address must lie in the network's subnet, not be its gateway, network or broadcast address, and be free. */
function checkAddress(address: string, network: Docker.NetworkInspectInfo, ctx: ToolContext): void {
  const ip = parseIpv4(address) as number;
  const configs = (network.IPAM?.Config ?? []).flatMap((c) => {
    const cidr = c.Subnet ? parseCidr(c.Subnet) : null;
    return cidr ? [{ subnet: subnetOf(cidr.address, cidr.prefix), gateway: c.Gateway ?? null }] : [];
  });
  const home = configs.find((c) => contains(c.subnet, ip));
  if (!home) {
    const where = configs.length
      ? `outside its subnet ${configs.map((c) => formatSubnet(c.subnet)).join(', ')}`
      : 'not possible: the network has no IPv4 subnet';
    throw new InvalidInputError(
      `The address ${address} on network "${network.Name}" is ${where}. Nothing was done.`,
    );
  }
  if (ip === home.subnet.base || ip === broadcastOf(home.subnet)) {
    throw new InvalidInputError(
      `The address ${address} is the ${ip === home.subnet.base ? 'network' : 'broadcast'} address of ${formatSubnet(home.subnet)}. Nothing was done.`,
    );
  }
  if (home.gateway === address)
    throw new ConflictError(
      `The address ${address} is the gateway of network "${network.Name}". Nothing was done.`,
    );
  const user = Object.values(network.Containers ?? {}).find((e) => e.IPv4Address.split('/')[0] === address);
  if (user) {
    const who = ctx.visible('container', user.Name) ? `container "${user.Name}"` : 'another container';
    throw new ConflictError(
      `The address ${address} is already used on network "${network.Name}" by ${who}. Nothing was done.`,
    );
  }
}
