import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { quoteVm } from '../../backends/vm/vm-action.js';
import { snapshotNames } from '../../backends/vm/snapshots.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { targetOf } from './shared/vm-target.js';
import { SNAPSHOT_TIMEOUT_MS } from './shared/snapshot-target.js';
import { vmRef, snapshotName } from './shared/vm-schemas.js';

export const vmSnapshotCreate = defineTool({
  name: 'vm_snapshot_create',
  title: 'Take a VM snapshot',
  description:
    "Takes a snapshot of a VM's disks (and memory, when it runs) under a new name, to return to later with " +
    'vm_snapshot_revert. Needs qcow2 disk images; libvirt refuses raw ones and says so. A running VM pauses ' +
    'briefly while its memory is saved.',
  toolset: 'vm',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  timeoutMs: SNAPSHOT_TIMEOUT_MS,
  input: z
    .object({
      id: vmRef,
      name: snapshotName,
      description: z
        .string()
        .max(1000)
        .regex(/^[^\p{Cc}]*$/u, 'the description may not contain control characters')
        .optional()
        .describe('What the snapshot is for'),
    })
    .strict(),
  output: z.object({ vm: z.string(), uuid: z.string(), snapshot: z.string(), message: z.string() }),
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  describe: ({ id, name }, target) => `Take snapshot "${name}" of VM ${quoteVm(target, id)}.`,
  run: async ({ id, name: snapshot, description }, ctx) => {
    const { uuid, name } = targetOf(ctx, id);
    if ((await snapshotNames(ctx.deps.libvirt, uuid, name, ctx.signal)).includes(snapshot)) {
      throw new ConflictError(
        `VM "${name}" already has a snapshot named "${snapshot}". Choose another name, or delete the old one with vm_snapshot_delete.`,
      );
    }
    const args = [
      'snapshot-create-as',
      '--domain',
      uuid,
      '--name',
      snapshot,
      '--atomic',
      ...(description ? ['--description', description] : []),
    ];
    await ctx.deps.libvirt.virsh(args, `taking snapshot "${snapshot}" of VM "${name}"`, {
      signal: ctx.signal,
      timeoutMs: SNAPSHOT_TIMEOUT_MS,
    });
    return {
      vm: name,
      uuid,
      snapshot,
      message: `Snapshot "${snapshot}" of VM "${name}" taken. vm_snapshot_list shows it.`,
    };
  },
});
