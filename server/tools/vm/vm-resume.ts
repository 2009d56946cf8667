import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { quoteVm } from '../../backends/vm/vm-action.js';
import { isActive } from '../../backends/vm/vm-state.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { changeVm } from './shared/change-vm.js';
import { vmRef, vmActionOutput } from './shared/vm-schemas.js';

export const vmResume = defineTool({
  name: 'vm_resume',
  title: 'Resume a paused VM',
  description:
    'Lets a paused VM run again. Resuming a running VM does nothing (changed: false); a shut-off VM is started ' +
    'with vm_start instead.',
  toolset: 'vm',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ id: vmRef }).strict(),
  output: vmActionOutput,
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  describe: ({ id }, target) => `Resume VM ${quoteVm(target, id)}.`,
  run: ({ id }, ctx) =>
    changeVm(ctx, id, {
      what: 'Resuming VM',
      plan: (state, name) => {
        if (isActive(state)) return { unchanged: `VM "${name}" is already ${state}; nothing was done.` };
        if (state !== 'paused')
          throw new ConflictError(`VM "${name}" is ${state}, not paused. Use vm_start to boot it.`);
        return { act: (lv, d) => lv.resume(d) };
      },
      done: (state, name) => `VM "${name}" is ${state} again.`,
    }),
});
