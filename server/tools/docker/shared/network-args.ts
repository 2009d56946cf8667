import { z } from 'zod';
import {
  broadcastOf,
  contains,
  formatIpv4,
  formatSubnet,
  parseCidr,
  parseIpv4,
  subnetOf,
} from '../../../backends/docker/ipv4.js';

/** Docker's own name pattern (containers and networks), capped at the length the resolvers accept. */
export const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/**
 * A network reference that is not the wrapper's target (connect, disconnect): checked here, before it
 * can reach a confirmation prompt, since the wrapper only validates the target's reference.
 */
export const networkArg = z
  .string()
  .min(1)
  .max(128, { abort: true })
  .regex(
    NETWORK_NAME,
    'a network is given by its name or (a prefix of) its ID: letters, digits, "_", "." and "-"',
  )
  .describe('Network name, full ID, or a unique ID prefix');

/** Networks every Docker daemon has; they cannot be created, removed, or joined like user networks. */
export const PREDEFINED_NETWORKS: ReadonlySet<string> = new Set(['bridge', 'host', 'none']);

/** Smallest and largest subnets accepted: /31 and /32 leave no room for a gateway and a container. */
export const MIN_PREFIX = 8;
export const MAX_PREFIX = 30;

/** A subnet argument: CIDR form, a usable size, and no host bits (Docker would silently keep or refuse them). */
export const subnetArg = z
  .string()
  .max(18, { abort: true })
  .superRefine((text, ctx) => {
    const cidr = parseCidr(text);
    if (!cidr) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is not an IPv4 subnet in CIDR form, such as "172.30.0.0/24"`,
      });
      return;
    }
    if (cidr.prefix < MIN_PREFIX || cidr.prefix > MAX_PREFIX) {
      ctx.addIssue({
        code: 'custom',
        message: `a /${cidr.prefix} subnet is not usable for a Docker network; use a prefix from /${MIN_PREFIX} to /${MAX_PREFIX}`,
      });
      return;
    }
    const subnet = subnetOf(cidr.address, cidr.prefix);
    if (subnet.base !== cidr.address)
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" has host bits set; the subnet is "${formatSubnet(subnet)}"`,
      });
  });

/** An IPv4 address argument. */
export const ipv4Arg = z
  .string()
  .max(15, { abort: true })
  .refine((t) => parseIpv4(t) !== null, { message: 'not an IPv4 address such as "172.30.0.10"' });

/** Why `gateway` cannot be the gateway of `subnet`, or null when it can. Both are assumed well-formed. */
export function gatewayProblem(subnetText: string, gatewayText: string): string | null {
  const cidr = parseCidr(subnetText);
  const gw = parseIpv4(gatewayText);
  if (!cidr || gw === null) return null;
  const subnet = subnetOf(cidr.address, cidr.prefix);
  if (!contains(subnet, gw)) return `gateway ${gatewayText} is outside the subnet ${formatSubnet(subnet)}`;
  if (gw === subnet.base || gw === broadcastOf(subnet)) {
    return `gateway ${gatewayText} is the ${gw === subnet.base ? 'network' : 'broadcast'} address of ${formatSubnet(subnet)}; use a host address such as ${formatIpv4(subnet.base + 1)}`;
  }
  return null;
}

const LABEL_KEY = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/;

/**
 * Labels: bounded in number and size, keys in Docker's usual dotted form, values without control
 * characters. Keys are checked here rather than by the record's key schema, whose failures zod
 * reports only as "Invalid key in record".
 */
export const labelsArg = z
  .record(
    z.string(),
    z
      .string()
      .max(1024, { abort: true })
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'label values cannot hold control characters'),
  )
  .superRefine((labels, ctx) => {
    const keys = Object.keys(labels);
    if (keys.length > 32) ctx.addIssue({ code: 'custom', message: `at most 32 labels (got ${keys.length})` });
    for (const key of keys) {
      if (!LABEL_KEY.test(key)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${key.slice(0, 40)}" is not a label key: use letters, digits, ".", "_" and "-" (up to 128), such as "com.example.role"`,
        });
      }
    }
  });
