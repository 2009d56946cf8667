import type { Domain } from '@unraid/libvirt';
import type { LibvirtOps } from './libvirt-client.js';
import { stateName, type VmState } from './vm-state.js';

export async function domainState(lv: LibvirtOps, d: Domain): Promise<VmState> {
  return stateName((await lv.info(d)).state);
}

/** `"Windows 11 (Gaming)"` for messages and confirmation prompts; the raw reference when unresolved. */
export function quoteVm(target: { name: string } | null, ref: string): string {
  return JSON.stringify(target ? target.name : ref);
}
