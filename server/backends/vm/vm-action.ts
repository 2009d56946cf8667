import { z } from 'zod';
import type { Domain } from '@unraid/libvirt';
import type { LibvirtOps } from './libvirt-client.js';
import { stateName, VM_STATES, type VmState } from './vm-state.js';

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

export async function domainState(lv: LibvirtOps, d: Domain): Promise<VmState> {
  return stateName((await lv.info(d)).state);
}

/** `"Windows 11 (Gaming)"` for messages and confirmation prompts; the raw reference when unresolved. */
export function quoteVm(target: { name: string } | null, ref: string): string {
  return JSON.stringify(target ? target.name : ref);
}
