import { z } from 'zod';
import { MAX_VM_NAME, vmNameProblem } from '../../../backends/vm/vm-name.js';
import { VM_STATES } from '../../../backends/vm/vm-state.js';

/** A VM as a caller names it: its name or its UUID. */
export const vmRef = z
  .string()
  .min(1)
  .max(MAX_VM_NAME)
  .describe('VM name as shown by vm_list (e.g. "Windows 11 (Gaming)") or its UUID');

/** The name of a VM to create. */
export const newVmName = z
  .string()
  .superRefine((name, ctx) => {
    const problem = vmNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: `the VM name ${problem}` });
  })
  .describe(
    'Name of the new VM: letters of any language, digits, spaces, parentheses and punctuation; no "/" or control characters',
  );

/** Snapshot names as this tool creates and accepts them: safe in file names and in virsh's own parser. */
export const snapshotName = z
  .string()
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N} ._:+-]{0,99}$/u,
    'a snapshot name is 1–100 letters, digits, spaces and . _ : + -, starting with a letter or digit',
  )
  .describe('Snapshot name');

/**
 * What every VM lifecycle tool returns. The state is read back from libvirt after the action, so a
 * guest that crashed right after starting shows as crashed, not as "started".
 */
export const vmActionOutput = z.object({
  name: z.string().describe('VM name'),
  uuid: z.string(),
  previousState: z.enum(VM_STATES).describe('State before the call'),
  state: z.enum(VM_STATES).describe('State after the call, read back from libvirt'),
  changed: z.boolean().describe('False when the VM was already in the requested state and nothing was done'),
  message: z.string().describe('What happened, in plain words'),
});
export type VmActionOutput = z.infer<typeof vmActionOutput>;
