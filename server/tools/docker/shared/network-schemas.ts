import { z } from 'zod';

/** Subnet and gateway of one IPAM pool; in docker_network_list and docker_network_inspect. */
export const subnetSchema = z.object({
  subnet: z.string().nullable().describe('CIDR, e.g. "192.168.1.0/24"'),
  gateway: z.string().nullable(),
  ipRange: z
    .string()
    .nullable()
    .describe('Part of the subnet Docker hands out addresses from; null when the whole subnet'),
});
