import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { quoteVm } from '../../backends/vm/vm-action.js';
import { isActive } from '../../backends/vm/vm-state.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { changeVm } from './shared/change-vm.js';
import { vmRef, vmActionOutput } from './shared/vm-schemas.js';

export const vmStart = defineTool({
  name: 'vm_start',
  title: 'Start a VM',
  description:
    'Starts (boots) a VM that is shut off or crashed. Starting a running VM does nothing and says so (changed: ' +
    'false); a paused VM is resumed with vm_resume instead. Returns the state read back from libvirt.',
  toolset: 'vm',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ id: vmRef }).strict(),
  output: vmActionOutput,
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  describe: ({ id }, target) => `Start VM ${quoteVm(target, id)}.`,
  run: ({ id }, ctx) =>
    changeVm(ctx, id, {
      what: 'Starting VM',
      plan: (state, name) => {
        if (isActive(state)) return { unchanged: `VM "${name}" is already ${state}; nothing was done.` };
        if (state === 'paused')
          throw new ConflictError(`VM "${name}" is paused, not shut off. Use vm_resume to let it run again.`);
        if (state === 'pmsuspended')
          throw new ConflictError(
            `VM "${name}" is suspended by its guest (sleep). Wake it from the guest side or force-stop it first.`,
          );
        return { act: (lv, d) => lv.start(d) };
      },
      done: (state, name) =>
        state === 'running'
          ? `VM "${name}" started; it is running.`
          : `libvirt started VM "${name}", but it is ${state} now.`,
    }),
});
