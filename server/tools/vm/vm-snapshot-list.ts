import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { listSnapshots, type Snapshot } from '../../backends/vm/snapshots.js';
import { targetOf } from './shared/vm-target.js';
import { vmRef } from './shared/vm-schemas.js';

const snapshotSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.string().nullable().describe('When the snapshot was taken (ISO 8601), as libvirt recorded it'),
  state: z
    .string()
    .nullable()
    .describe('State of the VM when the snapshot was taken: running, paused, shutoff…'),
  parent: z.string().nullable().describe('The snapshot this one was taken on top of'),
  current: z.boolean().describe('The snapshot the VM was last reverted to or that was taken last'),
}) satisfies z.ZodType<Snapshot>;

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
  output: z.object({
    name: z.string(),
    uuid: z.string(),
    snapshots: z.array(snapshotSchema),
    count: z.number().int(),
  }),
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  run: async ({ id }, ctx) => {
    const { uuid, name } = targetOf(ctx, id);
    const snapshots = await listSnapshots(ctx.deps.libvirt, uuid, name, ctx.signal);
    return { name, uuid, snapshots, count: snapshots.length };
  },
});
