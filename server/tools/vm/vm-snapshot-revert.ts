import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { quoteVm } from '../../backends/vm/vm-action.js';
import { VM_STATES } from '../../backends/vm/vm-state.js';
import { SNAPSHOT_TIMEOUT_MS, vmWithSnapshot } from './shared/snapshot-target.js';
import { readVmState } from './shared/vm-state-read.js';
import { vmRef, snapshotName } from './shared/vm-schemas.js';

export const vmSnapshotRevert = defineTool({
  name: 'vm_snapshot_revert',
  title: 'Revert a VM to a snapshot',
  description:
    'Returns a VM to a snapshot: its disks (and memory, if the snapshot has it) go back to that moment and ' +
    'everything since is lost. The VM ends in the state it had then (running, paused or shut off). Needs the ' +
    "owner's approval; refused on protected VMs.",
  toolset: 'vm',
  scope: 'admin',
  confirm: 'approve',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  timeoutMs: SNAPSHOT_TIMEOUT_MS,
  input: z.object({ id: vmRef, snapshot: snapshotName }).strict(),
  output: z.object({
    vm: z.string(),
    uuid: z.string(),
    snapshot: z.string(),
    state: z.enum(VM_STATES),
    message: z.string(),
  }),
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  describe: ({ id, snapshot }, target) =>
    `Revert VM ${quoteVm(target, id)} to snapshot "${snapshot}" — every change since that snapshot is lost.`,
  preflight: async ({ id, snapshot }, ctx) => {
    await vmWithSnapshot(ctx, id, snapshot);
  },
  run: async ({ id, snapshot }, ctx) => {
    const { uuid, name } = await vmWithSnapshot(ctx, id, snapshot);
    await ctx.deps.libvirt.virsh(
      ['snapshot-revert', '--domain', uuid, '--snapshotname', snapshot],
      `reverting VM "${name}" to snapshot "${snapshot}"`,
      { signal: ctx.signal, timeoutMs: SNAPSHOT_TIMEOUT_MS },
    );
    const { state } = await readVmState(ctx, id);
    return {
      vm: name,
      uuid,
      snapshot,
      state,
      message: `VM "${name}" reverted to snapshot "${snapshot}"; it is ${state}.`,
    };
  },
});
