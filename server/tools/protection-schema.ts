import { z } from 'zod';
import { PROTECTED_LABEL } from '../config/policy/compile-policy.js';

/**
 * The `protected` field of docker_list and vm_list: whether the owner protected a container or VM,
 * and why, so a client knows before it asks for a change that will be refused.
 */
export function protectionSchema(kind: 'container' | 'vm') {
  const byLabel = z
    .object({ by: z.literal('label') })
    .strict()
    .describe(`The container carries the label ${PROTECTED_LABEL}=true`);
  const byList = z
    .object({
      by: z.literal('list'),
      pattern: z
        .string()
        .describe('The entry of the protected list that matches the name (a glob or the name)'),
    })
    .strict()
    .describe(`The owner's protected ${kind === 'container' ? 'containers' : 'VMs'} list names it`);
  const refused =
    kind === 'container'
      ? 'docker_stop, docker_restart, docker_pause, docker_update, docker_remove and docker_network_disconnect'
      : 'vm_stop, vm_force_stop, vm_restart, vm_pause, vm_delete and vm_snapshot_revert';
  // One flat anyOf (not a nullable union of a union), so clients read the three cases at a glance.
  return (kind === 'container' ? z.union([byLabel, byList, z.null()]) : z.union([byList, z.null()])).describe(
    `null: not protected. Otherwise the owner protected this ${kind === 'container' ? 'container' : 'VM'} and ` +
      `${refused} refuse it (reading it, and starting it, still work); \`by\` says why` +
      `${kind === 'container' ? ' ("label" or "list")' : ' ("list")'}. Only the owner can change it, in Settings → unraid-mcp.`,
  );
}
