import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { listVms, type VmSummary } from '../../backends/vm/list-vms.js';
import { VM_STATES } from '../../backends/vm/vm-state.js';
import { nameMatcher } from '../../backends/docker/name-match.js';
import { protectionSchema } from '../protection-schema.js';

const vmSummarySchema = z.object({
  name: z.string(),
  uuid: z.string(),
  state: z.enum(VM_STATES),
  vcpus: z.number().int(),
  memoryBytes: z.number().describe('Memory the VM has now'),
  maxMemoryBytes: z.number().describe('Most memory the VM may balloon up to'),
  autostart: z.boolean().describe('Starts when the array starts'),
}) satisfies z.ZodType<VmSummary>;

const vmRowSchema = vmSummarySchema.extend({ protected: protectionSchema('vm') });

export const vmList = defineTool({
  name: 'vm_list',
  title: 'List VMs',
  description:
    'Lists the virtual machines with their state (running, paused, shut off…), vCPUs, memory and whether they ' +
    "start with the array (autostart). Start here to find a VM's exact name before calling other vm_* tools. " +
    'Narrow with `name` (glob: "*" any text, "?" one character; plain text matches names containing it; ' +
    'case-insensitive) and `state`. VMs the owner has hidden with filters are never listed; `hiddenByFilters` ' +
    'says how many exist. VMs the owner has protected are marked (`protected`: the protected list entry that ' +
    'names them): tools that stop, change or delete them will refuse. For disks, NICs and graphics of one VM use ' +
    'vm_inspect.',
  toolset: 'vm',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({
      name: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('Name filter: glob with * and ?, or plain text the name must contain; case-insensitive'),
      state: z.enum(VM_STATES).optional().describe('Only VMs in this state'),
    })
    .strict(),
  output: z.object({
    vms: z.array(vmRowSchema).describe('Sorted by name'),
    count: z.number().int(),
    hiddenByFilters: z
      .number()
      .int()
      .describe(
        "VMs left out because the owner's VM filters hide them (counted before the name and state filters)",
      ),
  }),
  run: async ({ name, state }, ctx) => {
    const matches = name === undefined ? () => true : nameMatcher(name);
    const all = await listVms(ctx.deps.libvirt);
    const visible = all.filter((vm) => ctx.visible('vm', vm.name));
    const vms = visible
      .filter((vm) => matches(vm.name) && (state === undefined || vm.state === state))
      .map((vm) => ({ ...vm, protected: ctx.protectedBy('vm', vm.name) }));
    return { vms, count: vms.length, hiddenByFilters: all.length - visible.length };
  },
});
