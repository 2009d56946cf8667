import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { quoteVm } from '../../backends/vm/vm-action.js';
import { autostartUuids } from '../../backends/vm/list-vms.js';
import { targetOf } from './shared/vm-target.js';
import { vmRef } from './shared/vm-schemas.js';

export const vmAutostart = defineTool({
  name: 'vm_autostart',
  title: 'Set VM autostart',
  description:
    'Turns autostart on or off for a VM: with it on, the VM starts when the array (and the VM service) starts. ' +
    'Setting the value it already has does nothing (changed: false).',
  toolset: 'vm',
  scope: 'operate',
  confirm: 'token',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({ id: vmRef, enabled: z.boolean().describe('true: start with the array; false: do not') })
    .strict(),
  output: z.object({
    name: z.string(),
    uuid: z.string(),
    autostart: z.boolean(),
    changed: z.boolean(),
    message: z.string(),
  }),
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  describe: ({ id, enabled }, target) =>
    `${enabled ? 'Enable' : 'Disable'} autostart for VM ${quoteVm(target, id)}.`,
  run: async ({ id, enabled }, ctx) => {
    const { uuid, name } = targetOf(ctx, id);
    const current = await ctx.deps.libvirt.call(
      `Reading autostart of VM "${name}"`,
      async (lv) => (await autostartUuids(lv)).has(uuid),
      { retry: true },
    );
    if (current === enabled)
      return {
        name,
        uuid,
        autostart: current,
        changed: false,
        message: `Autostart is already ${enabled ? 'on' : 'off'} for VM "${name}"; nothing was done.`,
      };
    // The binding cannot set autostart; virsh can, on the same URI.
    await ctx.deps.libvirt.virsh(
      ['autostart', '--domain', uuid, ...(enabled ? [] : ['--disable'])],
      `setting autostart of VM "${name}"`,
      { signal: ctx.signal },
    );
    return {
      name,
      uuid,
      autostart: enabled,
      changed: true,
      message: `Autostart is now ${enabled ? 'on' : 'off'} for VM "${name}".`,
    };
  },
});
