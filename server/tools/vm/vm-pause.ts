import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { quoteVm } from '../../backends/vm/vm-action.js';
import { isActive } from '../../backends/vm/vm-state.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { changeVm } from './shared/change-vm.js';
import { vmRef, vmActionOutput } from './shared/vm-schemas.js';

export const vmPause = defineTool({
  name: 'vm_pause',
  title: 'Pause a VM',
  description:
    'Freezes a running VM in memory (libvirt "suspend"): it keeps its RAM but gets no CPU time until vm_resume. ' +
    'Pausing a paused VM does nothing (changed: false); a shut-off VM cannot be paused. Refused on protected VMs.',
  toolset: 'vm',
  scope: 'operate',
  confirm: 'none',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ id: vmRef }).strict(),
  output: vmActionOutput,
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  describe: ({ id }, target) => `Pause VM ${quoteVm(target, id)}.`,
  run: ({ id }, ctx) =>
    changeVm(ctx, id, {
      what: 'Pausing VM',
      plan: (state, name) => {
        if (state === 'paused') return { unchanged: `VM "${name}" is already paused; nothing was done.` };
        if (!isActive(state))
          throw new ConflictError(
            `VM "${name}" is ${state}, so there is nothing to pause. Start it first with vm_start.`,
          );
        return { act: (lv, d) => lv.suspend(d) };
      },
      done: (state, name) => `VM "${name}" is ${state}.`,
    }),
});
