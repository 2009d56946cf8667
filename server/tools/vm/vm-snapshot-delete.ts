import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { quoteVm } from '../../backends/vm/vm-action.js';
import { SNAPSHOT_TIMEOUT_MS, vmWithSnapshot } from './shared/snapshot-target.js';
import { vmRef, snapshotName } from './shared/vm-schemas.js';

export const vmSnapshotDelete = defineTool({
  name: 'vm_snapshot_delete',
  title: 'Delete a VM snapshot',
  description:
    'Deletes one snapshot of a VM; the VM itself and its current state are untouched (libvirt merges what ' +
    "the snapshot held into its children). The point to return to is gone for good. Needs the owner's approval.",
  toolset: 'vm',
  scope: 'admin',
  // The point to return to is gone for good: destructive, so the owner approves it.
  confirm: 'approve',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  timeoutMs: SNAPSHOT_TIMEOUT_MS,
  input: z.object({ id: vmRef, snapshot: snapshotName }).strict(),
  output: z.object({ vm: z.string(), uuid: z.string(), snapshot: z.string(), message: z.string() }),
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  describe: ({ id, snapshot }, target) =>
    `Delete snapshot "${snapshot}" of VM ${quoteVm(target, id)} (the VM itself is kept).`,
  preflight: async ({ id, snapshot }, ctx) => {
    await vmWithSnapshot(ctx, id, snapshot);
  },
  run: async ({ id, snapshot }, ctx) => {
    const { uuid, name } = await vmWithSnapshot(ctx, id, snapshot);
    await ctx.deps.libvirt.virsh(
      ['snapshot-delete', '--domain', uuid, '--snapshotname', snapshot],
      `deleting snapshot "${snapshot}" of VM "${name}"`,
      { signal: ctx.signal, timeoutMs: SNAPSHOT_TIMEOUT_MS },
    );
    return { vm: name, uuid, snapshot, message: `Snapshot "${snapshot}" of VM "${name}" deleted.` };
  },
});
