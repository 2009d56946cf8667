import { z } from 'zod';
import { rm, rmdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { defineTool } from '../define-tool.js';
import type { ToolContext } from '../context.js';
import { domainState, quoteVm } from '../../backends/vm/vm-action.js';
import { domainDetails } from '../../backends/vm/domain-details.js';
import { child, parseDomainXml } from '../../backends/vm/domain-xml.js';
import { XML_INACTIVE } from '../../backends/vm/libvirt-constants.js';
import { isActive } from '../../backends/vm/vm-state.js';
import { snapshotNames } from '../../backends/vm/snapshots.js';
import { withSnapshotsUuids } from '../../backends/vm/list-vms.js';
import { resolveInsideShare } from '../../backends/vm/vm-shares.js';
import { vmsUsingImages } from '../../backends/vm/disk-users.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { targetOf } from './shared/vm-target.js';
import type { VmShares } from '../../config/vm-shares.js';
import { vmRef } from './shared/vm-schemas.js';
import { diskUsersClause } from './shared/disk-users-text.js';

interface DeletePlan {
  uuid: string;
  name: string;
  hasNvram: boolean;
  snapshots: string[];
  /** Disk images that will be deleted (resolved, inside the domains share, used by no other VM). */
  deletable: string[];
  /**
   * Images inside the domains share that another VM uses too: never deleted. Named as this VM's
   * definition writes them, not where a link leads (that could be the folder of a hidden VM).
   */
  shared: Array<{ path: string; why: string }>;
  /** Disk images that stay: outside the domains share, or not files. */
  kept: Array<{ path: string; why: string }>;
}

export const vmDelete = defineTool({
  name: 'vm_delete',
  title: 'Delete a VM',
  description:
    'Removes a shut-off VM from libvirt (its definition, snapshot metadata and UEFI variables). Disk images ' +
    'are kept unless deleteDisks is true; then only images inside the domains share are deleted (each is ' +
    'listed in the approval request), never ISOs, files elsewhere or an image another VM also uses (kept, ' +
    'and said so). A running or paused VM is refused: stop ' +
    "it first. Needs the owner's approval; refused on protected VMs.",
  toolset: 'vm',
  scope: 'admin',
  confirm: 'approve',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  input: z
    .object({
      id: vmRef,
      deleteDisks: z
        .boolean()
        .default(false)
        .describe('Also delete its disk images inside the domains share (default false: they are kept)'),
    })
    .strict(),
  output: z.object({
    name: z.string(),
    uuid: z.string(),
    deletedDisks: z.array(z.string()),
    keptDisks: z.array(z.object({ path: z.string(), why: z.string() })),
    message: z.string(),
  }),
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  describe: async ({ id, deleteDisks }, target, ctx) => {
    const plan = await planDelete(ctx, id, ctx.deps.layout.vmShares);
    const inShare = [...plan.deletable, ...plan.shared.map((s) => s.path)];
    const disks = deleteDisks
      ? plan.deletable.length
        ? ` and DELETE its disk images: ${plan.deletable.join(', ')}`
        : ` (${plan.shared.length ? 'no disk image is deleted' : 'it has no disk images inside the domains share to delete'})`
      : inShare.length
        ? ` (its disk images are kept: ${inShare.join(', ')})`
        : '';
    // Said even when deleteDisks is false: the owner should know the VM shares a disk.
    const shared = plan.shared.map((s) => `; ${s.path} is kept: ${s.why}`).join('');
    const snaps = plan.snapshots.length ? `, with its ${plan.snapshots.length} snapshot(s)` : '';
    return `Delete VM ${quoteVm(target, id)}${snaps}${disks}${shared}.`;
  },
  preflight: async ({ id }, ctx) => {
    await planDelete(ctx, id, ctx.deps.layout.vmShares);
  },
  run: async ({ id, deleteDisks }, ctx) => {
    const plan = await planDelete(ctx, id, ctx.deps.layout.vmShares);
    const client = ctx.deps.libvirt;
    const what = `deleting VM "${plan.name}"`;
    if (plan.snapshots.length || plan.hasNvram) {
      // The binding's undefine has no flags; a VM with snapshots or UEFI variables needs them.
      await client.virsh(
        [
          'undefine',
          '--domain',
          plan.uuid,
          ...(plan.snapshots.length ? ['--snapshots-metadata'] : []),
          ...(plan.hasNvram ? ['--nvram'] : []),
        ],
        what,
        { signal: ctx.signal },
      );
    } else {
      await client.call(`Deleting VM "${plan.name}"`, async (lv) =>
        lv.undefine(await lv.lookupByUuid(plan.uuid)),
      );
    }
    const deleted: string[] = [];
    if (deleteDisks) {
      for (const path of plan.deletable) {
        await rm(path, { force: true });
        deleted.push(path);
      }
      // Unraid's per-VM folder goes too when nothing else is left in it.
      for (const dir of new Set(deleted.map((p) => posix.dirname(p)))) await rmdir(dir).catch(() => {});
    }
    const keptAll = deleteDisks
      ? [...plan.shared, ...plan.kept]
      : [
          ...plan.deletable.map((path) => ({ path, why: 'deleteDisks was not set' })),
          ...plan.shared,
          ...plan.kept,
        ];
    const disksText = deleted.length
      ? ` Deleted ${deleted.length} disk image(s).`
      : keptAll.length
        ? ` Its disk images were kept.`
        : '';
    const sharedText = plan.shared.map((s) => ` Kept ${s.path}: ${s.why}.`).join('');
    return {
      name: plan.name,
      uuid: plan.uuid,
      deletedDisks: deleted,
      keptDisks: keptAll,
      message: `VM "${plan.name}" deleted.${disksText}${sharedText}`,
    };
  },
});

/** What deleting the VM would do, refusing a VM that is not shut off. Changes nothing. */
async function planDelete(ctx: ToolContext, id: string, shares: VmShares): Promise<DeletePlan> {
  const { uuid, name } = targetOf(ctx, id);
  const { xml, state, hasSnapshots } = await ctx.deps.libvirt.call(
    `Reading VM "${name}"`,
    async (lv) => {
      const d = await lv.lookupByUuid(uuid);
      const [xml, state, withSnapshots] = await Promise.all([
        lv.xml(d, XML_INACTIVE),
        domainState(lv, d),
        withSnapshotsUuids(lv),
      ]);
      return { xml, state, hasSnapshots: withSnapshots.has(uuid) };
    },
    { retry: true },
  );
  if (isActive(state) || state === 'paused' || state === 'pmsuspended') {
    throw new ConflictError(
      `VM "${name}" is ${state}; only a shut-off VM can be deleted. Stop it with vm_stop (or vm_force_stop) first.`,
    );
  }
  const inShare: Array<{ source: string; path: string }> = [];
  const kept: DeletePlan['kept'] = [];
  for (const disk of (await domainDetails(xml)).disks) {
    if (disk.device !== 'disk' || !disk.source) continue;
    try {
      const path = await resolveInsideShare(disk.source, shares.domainsDir, 'Disk image', 'domains share');
      inShare.push({ source: disk.source, path });
    } catch (err) {
      kept.push({ path: disk.source, why: err instanceof Error ? err.message : 'cannot be checked' });
    }
  }
  // An image another VM uses too is never deleted: with deleteDisks, a VM defined on someone else's
  // disk would otherwise be a way to destroy that disk (of a VM the caller may not even see).
  const users = await vmsUsingImages(
    ctx.deps.libvirt,
    inShare.map((i) => i.path),
    uuid,
  );
  const deletable: string[] = [];
  const shared: DeletePlan['shared'] = [];
  for (const { source, path } of inShare) {
    const using = users.get(path) ?? [];
    if (using.length)
      shared.push({ path: source, why: `${diskUsersClause(using, ctx)} too, so it is never deleted` });
    else deletable.push(path);
  }
  const os = child(child(await parseDomainXml(xml), 'domain'), 'os');
  return {
    uuid,
    name,
    hasNvram: os?.['nvram'] !== undefined,
    snapshots: hasSnapshots ? await snapshotNames(ctx.deps.libvirt, uuid, name, ctx.signal) : [],
    deletable,
    shared,
    kept,
  };
}
