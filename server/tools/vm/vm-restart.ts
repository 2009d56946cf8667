import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { quoteVm } from '../../backends/vm/vm-action.js';
import { isActive, type VmState } from '../../backends/vm/vm-state.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { readVmState } from './shared/vm-state-read.js';
import { vmRef, vmActionOutput } from './shared/vm-schemas.js';

export const vmRestart = defineTool({
  name: 'vm_restart',
  title: 'Reboot a VM',
  description:
    'Asks the guest to reboot cleanly (ACPI). Only a running VM can be rebooted; the guest decides when (and ' +
    'whether) it restarts, so the state usually stays "running". Needs confirmation; refused on protected VMs.',
  toolset: 'vm',
  scope: 'operate',
  confirm: 'token',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: z.object({ id: vmRef }).strict(),
  output: vmActionOutput,
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  describe: ({ id }, target) => `Reboot VM ${quoteVm(target, id)} (ACPI reboot request to the guest).`,
  // Refused before any confirmation: nobody should approve rebooting a VM that is off.
  preflight: async ({ id }, ctx) => refuseUnlessRunning(await readVmState(ctx, id)),
  run: async ({ id }, ctx) => {
    const { uuid, name, state: previousState } = await readVmState(ctx, id);
    refuseUnlessRunning({ name, state: previousState });
    // The binding has no reboot; virsh does it on the same connection URI.
    await ctx.deps.libvirt.virsh(['reboot', '--domain', uuid], `rebooting VM "${name}"`, {
      signal: ctx.signal,
    });
    const { state } = await readVmState(ctx, id);
    return {
      name,
      uuid,
      previousState,
      state,
      changed: true,
      message: `Reboot requested for VM "${name}"; the guest restarts if it handles ACPI. It is ${state}.`,
    };
  },
});

function refuseUnlessRunning({ name, state }: { name: string; state: VmState }): void {
  if (!isActive(state))
    throw new ConflictError(
      `VM "${name}" is ${state}, so it cannot be rebooted. ${state === 'paused' ? 'Resume it with vm_resume first.' : 'Start it with vm_start.'}`,
    );
}
