import { z } from 'zod';
import type Docker from 'dockerode';
import { defineTool } from '../define-tool.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { dockerCall, toDockerError } from '../../backends/docker/docker-errors.js';
import {
  NETWORK_NAME,
  PREDEFINED_NETWORKS,
  gatewayProblem,
  ipv4Arg,
  labelsArg,
  subnetArg,
} from './shared/network-args.js';
import { formatSubnet, overlaps, parseCidr, subnetOf } from '../../backends/docker/ipv4.js';
import { KeyedMutex } from '../../util/keyed-mutex.js';
import { redact } from '../../util/redact.js';

const input = z
  .object({
    name: z
      .string()
      .max(128, { abort: true })
      .regex(
        NETWORK_NAME,
        'a network name starts with a letter or digit and holds only letters, digits, "_", "." and "-" (up to 128)',
      )
      .refine((n) => !PREDEFINED_NETWORKS.has(n), {
        message: "bridge, host and none are Docker's predefined networks and cannot be created",
      })
      .describe('Name of the new network'),
    driver: z
      .enum(['bridge'])
      .default('bridge')
      .describe(
        'Network driver. Only bridge: macvlan/ipvlan networks (like br0) need a host interface and are set up in Settings → Docker',
      ),
    internal: z
      .boolean()
      .default(false)
      .describe('True for a network with no outside access: its containers reach each other, nothing else'),
    subnet: subnetArg
      .optional()
      .describe('IPv4 subnet in CIDR form, such as "172.30.0.0/24"; Docker picks a free one when omitted'),
    gateway: ipv4Arg
      .optional()
      .describe(
        'Gateway address inside the subnet (needs subnet); Docker uses the first address when omitted',
      ),
    labels: labelsArg.default({}).describe('Labels to put on the network'),
  })
  .strict()
  .superRefine(({ subnet, gateway }, ctx) => {
    if (gateway === undefined) return;
    if (subnet === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['gateway'],
        message: 'a gateway needs a subnet; give subnet too, or leave gateway out',
      });
      return;
    }
    const problem = gatewayProblem(subnet, gateway);
    if (problem) ctx.addIssue({ code: 'custom', path: ['gateway'], message: problem });
  });
type Args = z.infer<typeof input>;

const output = z.object({
  name: z.string(),
  id: z.string().describe('Full network ID'),
  driver: z.string(),
  internal: z.boolean(),
  subnet: z.string().nullable().describe('IPv4 subnet, as given or as Docker chose it'),
  gateway: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  changed: z.boolean(),
  message: z.string(),
});

/**
 * Docker itself accepts a second network with an existing name, after which the name no longer
 * identifies one network. Creations of one name are serialised here, checked before, and undone
 * after if another client slipped in between.
 */
const creating = new KeyedMutex();

function describeCreation({ name, driver, internal, subnet, gateway, labels }: Args): string {
  const addr = subnet
    ? `subnet ${subnet}${gateway ? `, gateway ${gateway}` : ''}`
    : 'a free subnet chosen by Docker';
  // The prompt is stored with the pending approval: a label that looks like a secret is shown redacted.
  const keys = Object.entries(redact(labels)).map(([k, v]) => `${k}=${v}`);
  const access = internal ? 'internal (no outside access)' : 'with outside access';
  return `Create a ${driver} network "${name}", ${access}, on ${addr}${keys.length ? `, with labels ${keys.join(', ')}` : ''}. No container is attached to it.`;
}

export const dockerNetworkCreate = defineTool({
  name: 'docker_network_create',
  title: 'Create a Docker network',
  description:
    'Creates a user-defined bridge network, so containers can reach each other by name. Optional: internal ' +
    '(no outside access), an IPv4 subnet and gateway (checked: CIDR form, no host bits, gateway inside, no ' +
    'overlap with another Docker network), labels. A name that is already taken is refused. Attach containers ' +
    "with docker_network_connect. Needs the owner's approval.",
  toolset: 'docker',
  scope: 'admin',
  confirm: 'approve',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input,
  output,
  describe: describeCreation,
  run: async ({ name, driver, internal, subnet, gateway, labels }, ctx) => {
    const docker = await ctx.deps.docker();
    const named = async () =>
      (
        await dockerCall('Listing networks', () =>
          docker.listNetworks({ filters: { name: [name] }, abortSignal: ctx.signal }),
        )
      ).filter((n) => n.Name === name);
    return creating.run(name, async () => {
      const taken = (await named())[0];
      if (taken) {
        throw new ConflictError(
          `A network named "${name}" already exists (${taken.Id.slice(0, 12)}, driver ${taken.Driver}); nothing was done. Choose another name, or use that network.`,
        );
      }
      if (subnet)
        assertNoOverlap(
          subnet,
          await dockerCall('Listing networks', () => docker.listNetworks({ abortSignal: ctx.signal })),
        );
      let created: Docker.Network;
      try {
        created = await docker.createNetwork({
          Name: name,
          Driver: driver,
          Internal: internal,
          EnableIPv6: false,
          Labels: labels,
          ...(subnet
            ? {
                IPAM: {
                  Driver: 'default',
                  Config: [{ Subnet: subnet, ...(gateway ? { Gateway: gateway } : {}) }],
                },
              }
            : {}),
          abortSignal: ctx.signal,
        });
      } catch (err) {
        // 403: Docker's address pools refused the subnet (overlap with one it allocated itself).
        if ((err as { statusCode?: number }).statusCode === 403) {
          throw new ConflictError(
            `Docker refused to create network "${name}": ${subnet ? `the subnet ${subnet}` : 'its subnet'} conflicts with an address pool in use. Choose another subnet.`,
          );
        }
        throw toDockerError(err, `Creating network "${name}"`);
      }
      const same = await named();
      if (same.length > 1) {
        await dockerCall(`Removing duplicate network "${name}"`, () =>
          docker.getNetwork(created.id).remove(),
        );
        throw new ConflictError(
          `Another client created a network named "${name}" at the same time; the duplicate was removed again and nothing was changed.`,
        );
      }
      const info = await dockerCall(`Network "${name}"`, () => docker.getNetwork(created.id).inspect());
      const ipam = info.IPAM?.Config?.find((c) => c.Subnet && parseCidr(c.Subnet)) ?? null;
      return {
        name: info.Name,
        id: info.Id,
        driver: info.Driver,
        internal: info.Internal,
        subnet: ipam?.Subnet ?? null,
        gateway: ipam?.Gateway ?? null,
        labels: info.Labels ?? {},
        changed: true,
        message: `Network "${info.Name}" created (${info.Driver}${info.Internal ? ', internal' : ''}${ipam?.Subnet ? `, subnet ${ipam.Subnet}` : ''}).`,
      };
    });
  },
});

/** Names the Docker network whose subnet overlaps the requested one, before Docker refuses with a vaguer message. */
function assertNoOverlap(subnetText: string, networks: Docker.NetworkInspectInfo[]): void {
  const cidr = parseCidr(subnetText);
  if (!cidr) return;
  const wanted = subnetOf(cidr.address, cidr.prefix);
  for (const n of networks) {
    if (n.ConfigOnly) continue; // holds settings for other networks, allocates nothing
    for (const c of n.IPAM?.Config ?? []) {
      const other = c.Subnet ? parseCidr(c.Subnet) : null;
      if (other && overlaps(wanted, subnetOf(other.address, other.prefix))) {
        throw new ConflictError(
          `The subnet ${formatSubnet(wanted)} overlaps ${c.Subnet} of network "${n.Name}"; nothing was done. Choose another subnet, or leave it out to let Docker pick a free one.`,
        );
      }
    }
  }
}
