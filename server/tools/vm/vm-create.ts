import { z } from 'zod';
import { existsSync } from 'node:fs';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { defineTool } from '../define-tool.js';
import type { ToolContext } from '../context.js';
import { DISK_BUSES, newDomainXml, type NewDomain } from '../../backends/vm/new-domain.js';
import { createDiskImage, DISK_FORMATS, type DiskFormat } from '../../backends/vm/disk-image.js';
import { requireFile, resolveInsideShare, vmFolder } from '../../backends/vm/vm-shares.js';
import { domainState } from '../../backends/vm/vm-action.js';
import { vmsUsingImages } from '../../backends/vm/disk-users.js';
import { VM_STATES } from '../../backends/vm/vm-state.js';
import { formatBytes, parseByteSize } from '../../util/byte-size.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { PolicyDeniedError } from '../../errors/policy-denied-error.js';
import { ToolError } from '../../errors/tool-error.js';
import type { VmShares } from '../../config/vm-shares.js';
import { newVmName } from './shared/vm-schemas.js';
import { diskUsersClause } from './shared/disk-users-text.js';

const MIN_MEMORY = 32 * 1024 ** 2;
const MIN_DISK = 1024 ** 2;
const MAX_DISK = 64 * 1024 ** 4;

const size = z.union([z.number().int().positive(), z.string().max(32)]);
const disk = z
  .object({
    image: z.string().max(4096).optional().describe('An existing disk image inside the domains share'),
    size: size
      .optional()
      .describe('Size of a new, empty image, e.g. "30G" (created as <domains share>/<VM name>/vdiskN.img)'),
    format: z
      .enum(DISK_FORMATS)
      .default('qcow2')
      .describe('Image format of a new image: qcow2 (supports snapshots) or raw'),
    bus: z
      .enum(DISK_BUSES)
      .default('virtio')
      .describe('virtio (fastest; Windows needs the virtio drivers), sata, scsi or ide'),
  })
  .strict()
  .refine((d) => (d.image === undefined) !== (d.size === undefined), {
    message: 'give either `image` (an existing file) or `size` (a new image), not both or neither',
  });

const input = z
  .object({
    name: newVmName,
    memory: size.describe('Memory, e.g. "4G", "512M" or bytes'),
    vcpus: z.number().int().min(1).max(512).describe('Number of virtual CPUs'),
    machine: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'a machine type looks like "q35", "pc" or "pc-q35-7.2"')
      .default('q35')
      .describe('Machine type: q35 (modern, default) or pc (i440fx), or a versioned one'),
    disks: z.array(disk).max(8).default([]).describe('Disks, in boot order'),
    iso: z
      .string()
      .max(4096)
      .optional()
      .describe('An installer or live ISO inside the ISO share, attached as a CD-ROM'),
    bridge: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,15}$/, 'a bridge is a network interface name such as "br0" or "virbr0"')
      .nullable()
      .optional()
      .describe(
        "Host bridge for the network card (default: the VM Manager's bridge, usually br0); null for no network",
      ),
    graphics: z.boolean().default(true).describe('A VNC display (viewable from the VMs page)'),
    description: z
      .string()
      .max(1000)
      .regex(/^[^\p{Cc}]*$/u, 'the description may not contain control characters')
      .optional(),
    virtualization: z
      .enum(['kvm', 'qemu'])
      .optional()
      .describe('kvm (hardware, default when /dev/kvm exists) or qemu (emulated, slow)'),
    start: z.boolean().default(false).describe('Start the VM once it is defined'),
  })
  .strict();
type CreateArgs = z.infer<typeof input>;

interface Plan {
  domain: NewDomain;
  /** Images this call creates (and removes again if defining the VM fails). */
  newImages: Array<{ path: string; format: DiskFormat; bytes: number }>;
  folder: string;
}

export const vmCreate = defineTool({
  name: 'vm_create',
  title: 'Create a VM',
  description:
    'Defines a new VM from a structured spec: name, memory, vCPUs, machine type, disks (existing images, or ' +
    'new empty ones created in <domains share>/<name>/), an optional ISO, a network bridge and VNC graphics. ' +
    "Checked before anything happens: the name must be free and allowed by the owner's filters, vCPUs and " +
    'memory must fit the host, every disk and ISO path must lie inside the domains / ISO share (links are ' +
    'followed), and no other VM may already use a disk image. ' +
    "Needs the owner's approval. Does not start the VM unless start: true.",
  toolset: 'vm',
  scope: 'admin',
  confirm: 'approve',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  timeoutMs: 5 * 60_000,
  input,
  output: z.object({
    name: z.string(),
    uuid: z.string(),
    state: z.enum(VM_STATES),
    disks: z.array(z.object({ path: z.string(), created: z.boolean() })),
    message: z.string(),
  }),
  describe: (args, _target, ctx) => describeCreate(args, ctx.deps.layout.vmShares),
  preflight: async (args, ctx) => {
    await planCreate(args, ctx, ctx.deps.layout.vmShares);
  },
  run: async (args, ctx) => {
    const plan = await planCreate(args, ctx, ctx.deps.layout.vmShares);
    const createdFolder = plan.newImages.length > 0 && !existsSync(plan.folder);
    const created: string[] = [];
    try {
      if (plan.newImages.length) await mkdir(plan.folder, { recursive: true });
      for (const image of plan.newImages) {
        await createDiskImage(image.path, image.format, image.bytes, ctx.signal);
        created.push(image.path);
      }
      const xml = await newDomainXml(plan.domain);
      const { uuid, state } = await ctx.deps.libvirt.call(`Defining VM "${args.name}"`, async (lv) => {
        const d = await lv.define(xml);
        return { uuid: await lv.uuid(d), state: await domainState(lv, d) };
      });
      const disks = plan.domain.disks.map((d) => ({ path: d.path, created: created.includes(d.path) }));
      if (!args.start)
        return {
          name: args.name,
          uuid,
          state,
          disks,
          message: `VM "${args.name}" created (not started). Start it with vm_start.`,
        };
      const started = await startNew(ctx, uuid, args.name);
      return {
        name: args.name,
        uuid,
        state: started,
        disks,
        message: `VM "${args.name}" created and started; it is ${started}.`,
      };
    } catch (err) {
      // Nothing half-made is left behind: images this call created go, and the folder if it made it.
      await Promise.all(created.map((p) => rm(p, { force: true })));
      if (createdFolder) await rmdir(plan.folder).catch(() => {});
      throw err;
    }
  },
});

async function startNew(ctx: ToolContext, uuid: string, name: string) {
  try {
    return await ctx.deps.libvirt.call(`Starting VM "${name}"`, async (lv) => {
      const d = await lv.lookupByUuid(uuid);
      await lv.start(d);
      return domainState(lv, d);
    });
  } catch (err) {
    const reason = err instanceof ToolError ? err.message : 'libvirt gave no reason';
    throw new ToolError(
      'backend_error',
      `VM "${name}" was created but could not start: ${reason} It is defined and shut off; fix the cause and use vm_start, or remove it with vm_delete.`,
    );
  }
}

/**
 * Everything vm_create checks, without changing anything: run as the preflight (so the owner is never
 * asked to approve a VM that would be refused) and again just before acting.
 */
async function planCreate(args: CreateArgs, ctx: ToolContext, shares: VmShares): Promise<Plan> {
  if (!ctx.visible('vm', args.name))
    throw new PolicyDeniedError(
      'vm_filter',
      `The name "${args.name}" is not allowed by the owner's VM filters, so no VM of that name can be created.`,
    );
  const memoryBytes = parseByteSize(args.memory);
  if (memoryBytes === null)
    throw new InvalidInputError(
      `memory: "${String(args.memory)}" is not a size (use e.g. "4G", "512M" or a number of bytes).`,
    );
  if (memoryBytes < MIN_MEMORY)
    throw new InvalidInputError(
      `memory: ${formatBytes(memoryBytes)} is too little for a VM; give at least ${formatBytes(MIN_MEMORY)}.`,
    );

  const { taken, node, type } = await ctx.deps.libvirt.call(
    `Checking the host for VM "${args.name}"`,
    async (lv) => {
      const nameTaken = async () => {
        try {
          await lv.lookupByName(args.name);
          return true;
        } catch (err) {
          if (err instanceof Error && /not found|no domain/i.test(err.message)) return false;
          throw err;
        }
      };
      const [taken, node] = await Promise.all([nameTaken(), lv.nodeInfo()]);
      return { taken, node, type: domainType(ctx.deps.libvirt.uri, args.virtualization) };
    },
    { retry: true },
  );
  if (taken) throw new ConflictError(`A VM named "${args.name}" already exists. Choose another name.`);
  if (args.vcpus > node.cpus)
    throw new InvalidInputError(
      `vcpus: ${args.vcpus} is more than this server has (${node.cpus} CPU threads).`,
    );
  const hostMemory = node.memory * 1024;
  if (memoryBytes > hostMemory)
    throw new InvalidInputError(
      `memory: ${formatBytes(memoryBytes)} is more than this server has (${formatBytes(hostMemory)}).`,
    );

  const folder = vmFolder(shares, args.name);
  const disks: NewDomain['disks'][number][] = [];
  const newImages: Plan['newImages'] = [];
  const images: ImageToCheck[] = [];
  for (const [i, d] of args.disks.entries()) {
    const label = `disks[${i}]`;
    if (d.image !== undefined) {
      const path = await resolveInsideShare(d.image, shares.domainsDir, `${label}.image`, 'domains share');
      await requireFile(path, `${label}.image`);
      disks.push({ path, format: d.format, bus: d.bus });
      images.push({ path, label: `${label}.image`, existing: true });
      continue;
    }
    const bytes = parseByteSize(d.size as number | string);
    if (bytes === null || bytes < MIN_DISK || bytes > MAX_DISK)
      throw new InvalidInputError(
        `${label}.size: "${String(d.size)}" is not a disk size between 1M and 64T (use e.g. "30G").`,
      );
    // Messages show the path as vm_create names it, never where a link in the share leads: that
    // could be the folder of a VM the caller's filters hide.
    const written = posix.join(folder, `vdisk${i + 1}.img`);
    const path = await resolveInsideShare(
      written,
      shares.domainsDir,
      `${label} (new image)`,
      'domains share',
    );
    if (existsSync(path))
      throw new ConflictError(
        `${label}: ${written} already exists; unraid-mcp never overwrites a disk image. Attach it with \`image\`, or remove it first.`,
      );
    disks.push({ path, format: d.format, bus: d.bus });
    newImages.push({ path, format: d.format, bytes });
    images.push({ path, label: `${label} (new image ${written})`, existing: false });
  }
  await refuseImagesInUse(ctx, images);
  let iso: string | undefined;
  if (args.iso !== undefined) {
    iso = await resolveInsideShare(args.iso, shares.isoDir, 'iso', 'ISO share');
    await requireFile(iso, 'iso');
  }
  const bridge = args.bridge === undefined ? shares.bridge : args.bridge;
  return {
    domain: {
      type,
      name: args.name,
      description: args.description,
      memoryBytes,
      vcpus: args.vcpus,
      machine: args.machine,
      disks,
      iso,
      bridge,
      graphics: args.graphics,
    },
    newImages,
    folder,
  };
}

interface ImageToCheck {
  /** Resolved. */
  path: string;
  /** How the message names it: the argument, never the resolved path. */
  label: string;
  existing: boolean;
}

/**
 * Refuses a disk image another VM already uses. Two VMs writing one image corrupt it, and deleting the
 * new VM with its disks would take the other VM's disk along — a way to destroy a VM the caller may
 * not even see. A new image's path counts too: a VM whose definition names a missing file would get
 * the new one. VMs the caller's filters hide are not named.
 */
async function refuseImagesInUse(ctx: ToolContext, images: ReadonlyArray<ImageToCheck>): Promise<void> {
  if (!images.length) return;
  const users = await vmsUsingImages(
    ctx.deps.libvirt,
    images.map((i) => i.path),
  );
  for (const image of images) {
    const using = users.get(image.path) ?? [];
    if (!using.length) continue;
    const clause = diskUsersClause(using, ctx);
    throw new PolicyDeniedError(
      'vm_disk_in_use',
      image.existing
        ? `${image.label}: ${clause} already. Two VMs on one disk image corrupt it, so vm_create never attaches an image another VM uses. Attach an image no other VM uses, or give \`size\` for a new, empty one.`
        : `${image.label}: the file does not exist yet, but ${clause} as a disk in its definition, so vm_create will not create it. Choose another name for the new VM.`,
    );
  }
}

/** The test driver only runs `test` domains; elsewhere kvm when the host can, else emulation. */
function domainType(uri: string, asked: 'kvm' | 'qemu' | undefined): NewDomain['type'] {
  if (uri.startsWith('test:')) return 'test';
  return asked ?? (existsSync('/dev/kvm') ? 'kvm' : 'qemu');
}

function describeCreate(args: CreateArgs, shares: VmShares): string {
  const disks = args.disks.map((d, i) =>
    d.image !== undefined
      ? `attach ${d.image}`
      : `new ${d.format} image ${posix.join(vmFolder(shares, args.name), `vdisk${i + 1}.img`)} of ${String(d.size)}`,
  );
  const parts = [
    `${args.vcpus} vCPU${args.vcpus > 1 ? 's' : ''}`,
    `${String(args.memory)} memory`,
    `machine ${args.machine}`,
    disks.length ? `disks: ${disks.join('; ')}` : 'no disks',
    args.iso ? `ISO ${args.iso}` : null,
    args.bridge === null ? 'no network' : `network on ${args.bridge ?? shares.bridge}`,
    args.graphics ? 'VNC graphics' : 'no graphics',
  ].filter(Boolean);
  return `Create VM ${JSON.stringify(args.name)}: ${parts.join(', ')}${args.start ? '; then start it' : ''}.`;
}
