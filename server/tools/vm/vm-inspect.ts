import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { vmRef } from '../../backends/vm/vm-name.js';
import { domainDetails, domainDetailsSchema } from '../../backends/vm/domain-details.js';
import { XML_SECURE } from '../../backends/vm/libvirt-constants.js';
import { autostartUuids, withSnapshotsUuids } from '../../backends/vm/list-vms.js';
import { stateName, VM_STATES } from '../../backends/vm/vm-state.js';
import { snapshotNames } from '../../backends/vm/snapshots.js';
import { targetOf } from './shared/vm-target.js';

export const vmInspect = defineTool({
  name: 'vm_inspect',
  title: 'Inspect a VM',
  description:
    "Shows one VM's configuration, read from its libvirt definition: vCPUs and pinning, memory, machine type, " +
    'disks (image paths and bus), attached ISOs, network cards (MAC and bridge), graphics (type and VNC/SPICE ' +
    'port — passwords are never shown, only whether one is set), passed-through devices and the number of ' +
    'snapshots. For the raw definition use vm_xml.',
  toolset: 'vm',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ id: vmRef }).strict(),
  output: z.object({
    name: z.string(),
    uuid: z.string(),
    state: z.enum(VM_STATES),
    autostart: z.boolean(),
    snapshotCount: z.number().int(),
    ...domainDetailsSchema.shape,
  }),
  target: ({ id }) => ({ kind: 'vm', ref: id }),
  run: async ({ id }, ctx) => {
    const { uuid, name } = targetOf(ctx, id);
    const { xml, state, autostart, hasSnapshots } = await ctx.deps.libvirt.call(
      `Reading VM "${name}"`,
      async (lv) => {
        const d = await lv.lookupByUuid(uuid);
        const [xml, info, auto, withSnapshots] = await Promise.all([lv.xml(d, XML_SECURE), lv.info(d), autostartUuids(lv), withSnapshotsUuids(lv)]);
        return { xml, state: stateName(info.state), autostart: auto.has(uuid), hasSnapshots: withSnapshots.has(uuid) };
      },
      { retry: true },
    );
    // Counting needs virsh (a process); most VMs have no snapshots and are spared it.
    const snapshotCount = hasSnapshots ? (await snapshotNames(ctx.deps.libvirt, uuid, name, ctx.signal)).length : 0;
    return { name, uuid, state, autostart, snapshotCount, ...(await domainDetails(xml)) };
  },
});
