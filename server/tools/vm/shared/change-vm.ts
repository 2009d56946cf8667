import type { Domain } from '@unraid/libvirt';
import type { ToolContext } from '../../context.js';
import type { LibvirtOps } from '../../../backends/vm/libvirt-client.js';
import { domainState } from '../../../backends/vm/vm-action.js';
import type { VmState } from '../../../backends/vm/vm-state.js';
import { targetOf } from './vm-target.js';
import type { VmActionOutput } from './vm-schemas.js';

/** What to do about a VM in a given state: act, or leave it as it is and say why. */
export type VmPlan = { act: (lv: LibvirtOps, d: Domain) => Promise<void> } | { unchanged: string };

export interface VmChange {
  /** "Starting VM" — prefixed to libvirt's reason when it fails. */
  what: string;
  /** Decides from the current state; throws ConflictError for a request that makes no sense in it. */
  plan(state: VmState, name: string): VmPlan;
  /** The message once done, from the state read back afterwards. */
  done(state: VmState, name: string): string;
}

/**
 * One state change of the resolved VM: read its state, decide, act, read the state back. Not retried
 * on a lost connection — libvirt may already have acted.
 */
export async function changeVm(ctx: ToolContext, id: string, change: VmChange): Promise<VmActionOutput> {
  const { uuid, name } = targetOf(ctx, id);
  return ctx.deps.libvirt.call(`${change.what} "${name}"`, async (lv) => {
    const d = await lv.lookupByUuid(uuid);
    const previousState = await domainState(lv, d);
    const plan = change.plan(previousState, name);
    if ('unchanged' in plan)
      return { name, uuid, previousState, state: previousState, changed: false, message: plan.unchanged };
    await plan.act(lv, d);
    const state = await domainState(lv, d);
    return { name, uuid, previousState, state, changed: true, message: change.done(state, name) };
  });
}
