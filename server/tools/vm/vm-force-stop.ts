import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { quoteVm } from '../../backends/vm/vm-action.js';
import { changeVm } from './shared/change-vm.js';
import { vmRef, vmActionOutput } from './shared/vm-schemas.js';

export const vmForceStop = defineTool({
  name: 'vm_force_stop',
  title: 'Force-stop a VM',
  description:
    'Turns a VM off at once, like pulling the power cord (libvirt "destroy"; the definition and disks are kept). ' +
    'Unsaved work in the guest is lost and its file systems may need a check — prefer vm_stop, and use this ' +
    "when the guest ignores it. A VM that is already off is left alone (changed: false). Needs the owner's " +
    'approval; refused on protected VMs.',
  toolset: 'vm',
  // Cutting the power can corrupt the guest's file systems: destructive, so an admin token.
  scope: 'admin',
  // Destructive, so the owner approves it (test/tools/confirm-defaults.test.ts holds every tool to that).
  confirm: 'approve',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  input: z.object({ id: vmRef }).strict(),
  output: vmActionOutput,
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  describe: ({ id }, target) =>
    `Force-stop VM ${quoteVm(target, id)} immediately (like cutting the power; unsaved work in the guest is lost).`,
  run: ({ id }, ctx) =>
    changeVm(ctx, id, {
      what: 'Force-stopping VM',
      plan: (state, name) =>
        state === 'shut off'
          ? { unchanged: `VM "${name}" is already shut off; nothing was done.` }
          : { act: (lv, d) => lv.destroy(d) },
      done: (state, name) => `VM "${name}" was forced off; it is ${state}.`,
    }),
});
