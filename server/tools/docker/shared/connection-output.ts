import { z } from 'zod';
import type { ConnectionOutput } from '../../../backends/docker/network-connection.js';

/** What docker_network_connect and docker_network_disconnect return, read back from Docker after the call. */
export const connectionOutput = z.object({
  container: z.object({ name: z.string(), id: z.string().describe('Full container ID') }),
  network: z.object({ name: z.string(), id: z.string().describe('Full network ID') }),
  connected: z.boolean().describe('Whether the container is attached to the network after the call'),
  ipv4Address: z
    .string()
    .nullable()
    .describe(
      "The container's IPv4 address on the network: the assigned one while it runs, else the requested static one, else null (assigned when it starts)",
    ),
  aliases: z
    .array(z.string())
    .describe(
      'DNS names of the container on this network besides its name (Docker adds the short container ID)',
    ),
  networks: z.array(z.string()).describe('Every network the container is attached to after the call'),
  changed: z.boolean(),
  message: z.string().describe('What happened, in plain words'),
}) satisfies z.ZodType<ConnectionOutput>;
