import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { networkRef } from './shared/container-ref.js';
import { subnetSchema } from './shared/network-schemas.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { isoOrNull, shortId } from '../../backends/docker/container-summary.js';
import { redactLabels } from '../../backends/docker/container-details.js';

interface NetworkInspect {
  Name: string;
  Id: string;
  Created?: string;
  Scope: string;
  Driver: string;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Attachable?: boolean;
  IPAM?: {
    Driver?: string;
    Options?: Record<string, string> | null;
    Config?: Array<{ Subnet?: string; Gateway?: string; IPRange?: string }> | null;
  };
  Containers?: Record<
    string,
    { Name: string; MacAddress?: string; IPv4Address?: string; IPv6Address?: string }
  > | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export const dockerNetworkInspect = defineTool({
  name: 'docker_network_inspect',
  title: 'Inspect a network',
  description:
    'One Docker network in detail: driver, scope, internal flag, IPAM (subnets, gateways, address ranges), ' +
    'driver options (e.g. the parent interface of a macvlan/ipvlan network like br0), labels, and the running ' +
    "containers attached with their IPv4/IPv6 and MAC addresses. Use it to find a container's address on a " +
    "network or to check why two containers cannot reach each other. Containers hidden by the owner's " +
    'filters are not shown. docker_network_list lists the networks.',
  toolset: 'docker',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ id: networkRef }).strict(),
  output: z.object({
    name: z.string(),
    id: z.string().describe('Full network ID'),
    driver: z.string(),
    scope: z.string(),
    internal: z.boolean(),
    attachable: z.boolean(),
    ipv6: z.boolean(),
    created: z.string().nullable(),
    ipam: z.object({
      driver: z.string().nullable(),
      subnets: z.array(subnetSchema),
      options: z.record(z.string(), z.string()),
    }),
    options: z.record(z.string(), z.string()).describe('Driver options, e.g. {"parent": "br0"} for macvlan'),
    labels: z.record(z.string(), z.string()),
    containers: z
      .array(
        z.object({
          name: z.string(),
          id: z.string().describe('Short container ID'),
          ipv4: z.string().nullable().describe('Address with prefix length, e.g. "172.18.0.2/16"'),
          ipv6: z.string().nullable(),
          macAddress: z.string().nullable(),
        }),
      )
      .describe('Running containers attached, sorted by name'),
  }),
  target: ({ id }) => ({ kind: 'network', ref: id }),
  run: async ({ id }, ctx) => {
    const docker = await ctx.deps.docker();
    const n = (await dockerCall(`Inspecting network "${id}"`, () =>
      docker.getNetwork(id).inspect(),
    )) as NetworkInspect;
    const containers = Object.entries(n.Containers ?? {})
      .filter(([, c]) => ctx.visible('container', c.Name))
      .map(([cid, c]) => ({
        name: c.Name,
        id: shortId(cid),
        ipv4: c.IPv4Address || null,
        ipv6: c.IPv6Address || null,
        macAddress: c.MacAddress || null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      name: n.Name,
      id: n.Id,
      driver: n.Driver,
      scope: n.Scope,
      internal: n.Internal ?? false,
      attachable: n.Attachable ?? false,
      ipv6: n.EnableIPv6 ?? false,
      created: isoOrNull(n.Created),
      ipam: {
        driver: n.IPAM?.Driver ?? null,
        subnets: (n.IPAM?.Config ?? []).map((c) => ({
          subnet: c.Subnet ?? null,
          gateway: c.Gateway ?? null,
          ipRange: c.IPRange ?? null,
        })),
        options: n.IPAM?.Options ?? {},
      },
      options: n.Options ?? {},
      labels: redactLabels(n.Labels),
      containers,
    };
  },
});
