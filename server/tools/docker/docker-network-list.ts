import type Docker from 'dockerode';
import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { subnetSchema } from './shared/network-schemas.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { containerName, shortId } from '../../backends/docker/container-summary.js';

export const dockerNetworkList = defineTool({
  name: 'docker_network_list',
  title: 'List networks',
  description:
    "Lists Docker networks: name, short ID, driver (bridge, macvlan/ipvlan — Unraid's br0/eth0 custom networks " +
    'that give containers their own LAN address —, host, null), scope, subnets and gateways, whether it is ' +
    'internal (no outside access), and the running containers attached to it. Use it for "which containers ' +
    'share a network?" or "what subnet does br0 use?"; docker_network_inspect gives one network\'s containers ' +
    "with their IP addresses. Containers hidden by the owner's filters are not named.",
  toolset: 'docker',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({}).strict(),
  output: z.object({
    networks: z
      .array(
        z.object({
          name: z.string(),
          id: z.string().describe('Short network ID'),
          driver: z.string(),
          scope: z.string().describe('"local" on a single server'),
          internal: z.boolean().describe('True when containers on it cannot reach outside networks'),
          ipv6: z.boolean(),
          subnets: z.array(subnetSchema),
          containers: z.array(z.string()).describe('Names of the running containers attached (sorted)'),
        }),
      )
      .describe('Sorted by name'),
    count: z.number().int(),
  }),
  run: async (_args, ctx) => {
    const docker = await ctx.deps.docker();
    // The list endpoint leaves out attachments (API ≥ 1.28); the container list carries them.
    const [networks, containers] = await Promise.all([
      dockerCall('Listing networks', () =>
        docker.listNetworks({ abortSignal: ctx.signal } as Docker.NetworkListOptions),
      ),
      dockerCall('Listing containers', () =>
        docker.listContainers({ all: false, abortSignal: ctx.signal } as Docker.ContainerListOptions),
      ),
    ]);
    const attached = new Map<string, string[]>();
    for (const c of containers) {
      const name = containerName(c.Names, c.Id);
      if (!ctx.visible('container', name)) continue;
      for (const ep of Object.values(c.NetworkSettings?.Networks ?? {})) {
        if (!ep.NetworkID || !ep.EndpointID) continue;
        attached.set(ep.NetworkID, [...(attached.get(ep.NetworkID) ?? []), name]);
      }
    }
    const out = networks
      .map((n) => ({
        name: n.Name,
        id: shortId(n.Id),
        driver: n.Driver,
        scope: n.Scope,
        internal: n.Internal ?? false,
        ipv6: n.EnableIPv6 ?? false,
        subnets: (n.IPAM?.Config ?? []).map((c) => ({
          subnet: c.Subnet ?? null,
          gateway: c.Gateway ?? null,
          ipRange: c.IPRange ?? null,
        })),
        containers: (attached.get(n.Id) ?? []).sort((a, b) => a.localeCompare(b)),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { networks: out, count: out.length };
  },
});
