import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { vmRef } from '../../backends/vm/vm-name.js';
import { listSnapshots, snapshotSchema } from '../../backends/vm/snapshots.js';
import { targetOf } from './shared/vm-target.js';

export const vmSnapshotList = defineTool({
  name: 'vm_snapshot_list',
  title: 'List VM snapshots',
  description:
    "Lists a VM's snapshots, oldest first, with the time each was taken and the VM's state then (as libvirt " +
    'recorded them), its parent and which one is current.',
  toolset: 'vm',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ id: vmRef }).strict(),
  output: z.object({ name: z.string(), uuid: z.string(), snapshots: z.array(snapshotSchema), count: z.number().int() }),
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  run: async ({ id }, ctx) => {
    const { uuid, name } = targetOf(ctx, id);
    const snapshots = await listSnapshots(ctx.deps.libvirt, uuid, name, ctx.signal);
    return { name, uuid, snapshots, count: snapshots.length };
  },
});
