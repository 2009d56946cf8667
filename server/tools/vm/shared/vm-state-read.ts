import type { ToolContext } from '../../context.js';
import { domainState } from '../../../backends/vm/vm-action.js';
import type { VmState } from '../../../backends/vm/vm-state.js';
import { targetOf } from './vm-target.js';

/** The resolved VM's state now (a read: retried once if libvirtd was restarted under us). */
export async function readVmState(
  ctx: ToolContext,
  ref: string,
): Promise<{ uuid: string; name: string; state: VmState }> {
  const { uuid, name } = targetOf(ctx, ref);
  const state = await ctx.deps.libvirt.call(
    `Reading the state of VM "${name}"`,
    async (lv) => domainState(lv, await lv.lookupByUuid(uuid)),
    { retry: true },
  );
  return { uuid, name, state };
}
