import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { domainDetails, type DomainDetails } from '../../backends/vm/domain-details.js';
import { XML_SECURE } from '../../backends/vm/libvirt-constants.js';
import { autostartUuids, withSnapshotsUuids } from '../../backends/vm/list-vms.js';
import { stateName, VM_STATES } from '../../backends/vm/vm-state.js';
import { snapshotNames } from '../../backends/vm/snapshots.js';
import { targetOf } from './shared/vm-target.js';
import { vmRef } from './shared/vm-schemas.js';

/** The domain part of vm_inspect's output. */
const domainDetailsSchema = z.object({
  type: z.string().describe('Hypervisor type: kvm, qemu (emulated), test…'),
  title: z.string().nullable(),
  description: z.string().nullable(),
  machine: z.string().nullable().describe('Machine type, e.g. pc-q35-7.2'),
  arch: z.string().nullable(),
  vcpus: z.object({
    count: z.number().int(),
    placement: z.string().nullable(),
    pinning: z
      .array(z.object({ vcpu: z.number().int(), cpuset: z.string() }))
      .describe('vCPU → host CPU pinning (empty when not pinned)'),
  }),
  memory: z.object({ maxBytes: z.number().nullable(), currentBytes: z.number().nullable() }),
  disks: z.array(
    z.object({
      device: z.string().describe('disk, cdrom, floppy or lun'),
      target: z.string().nullable().describe('Guest device name, e.g. vda, hdc'),
      bus: z.string().nullable(),
      source: z.string().nullable().describe('Image file, block device or volume on the host'),
      format: z.string().nullable().describe('raw, qcow2…'),
      readonly: z.boolean(),
    }),
  ),
  isos: z.array(z.string()).describe('ISO images attached as CD-ROMs'),
  nics: z.array(
    z.object({
      mac: z.string().nullable(),
      type: z.string(),
      source: z.string().nullable().describe('Bridge or network the NIC is attached to'),
      model: z.string().nullable(),
    }),
  ),
  graphics: z.array(
    z.object({
      type: z.string(),
      port: z.number().int().nullable(),
      autoport: z.boolean(),
      listen: z.string().nullable(),
      locked: z
        .boolean()
        .describe('True when a password protects the display (the password itself is never shown)'),
    }),
  ),
  hostdevCount: z.number().int().describe('Passed-through host devices (GPUs, USB, PCI)'),
}) satisfies z.ZodType<DomainDetails>;

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
        const [xml, info, auto, withSnapshots] = await Promise.all([
          lv.xml(d, XML_SECURE),
          lv.info(d),
          autostartUuids(lv),
          withSnapshotsUuids(lv),
        ]);
        return {
          xml,
          state: stateName(info.state),
          autostart: auto.has(uuid),
          hasSnapshots: withSnapshots.has(uuid),
        };
      },
      { retry: true },
    );
    // Counting needs virsh (a process); most VMs have no snapshots and are spared it.
    const snapshotCount = hasSnapshots
      ? (await snapshotNames(ctx.deps.libvirt, uuid, name, ctx.signal)).length
      : 0;
    return { name, uuid, state, autostart, snapshotCount, ...(await domainDetails(xml)) };
  },
});
