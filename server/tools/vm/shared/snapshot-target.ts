import type { ToolContext } from '../../context.js';
import { requireSnapshot } from '../../../backends/vm/snapshots.js';
import { targetOf } from './vm-target.js';

/** How long virsh may take to save, revert or merge a snapshot (memory and disk of a large VM). */
export const SNAPSHOT_TIMEOUT_MS = 10 * 60_000;

/**
 * The resolved VM, refused (naming the snapshots it has) unless it has `snapshot`. Run as the
 * preflight, so nobody approves acting on a snapshot that is not there, and again before acting.
 */
export async function vmWithSnapshot(
  ctx: ToolContext,
  ref: string,
  snapshot: string,
): Promise<{ uuid: string; name: string }> {
  const vm = targetOf(ctx, ref);
  await requireSnapshot(ctx.deps.libvirt, vm.uuid, vm.name, snapshot, ctx.signal);
  return vm;
}
