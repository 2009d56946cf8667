import { z } from 'zod';
import { defineTool } from '../define-tool.js';

const bytes = (what: string) =>
  z.number().nonnegative().nullable().describe(`${what}, in bytes; null when unknown`);
const counter = z.number().int().nonnegative().nullable();
const ROLES = ['parity', 'data', 'pool', 'boot'] as const;

const disk = z.object({
  name: z
    .string()
    .describe('Slot or device name as Unraid shows it: parity, parity2, disk1, cache, cache2, flash, …'),
  slot: z.number().int().nullable().describe('emhttp slot index'),
  role: z
    .enum([...ROLES, 'other'])
    .describe('parity / data (array), pool (cache and other pools), boot (flash or boot pool device)'),
  typeRaw: z.string().nullable().describe('disks.ini type: Parity, Data, Cache, Flash or Boot'),
  pool: z.string().nullable().describe('For pool devices: the pool this device belongs to'),
  present: z.boolean().describe('False for an empty slot or a missing device'),
  device: z.string().nullable().describe('Linux block device, e.g. "sdb", "nvme0n1"'),
  id: z.string().nullable().describe('Model and serial number'),
  transport: z.string().nullable().describe('ata, nvme, usb, …'),
  rotational: z.boolean().nullable().describe('True for spinning disks, false for SSD/NVMe'),
  status: z
    .string()
    .nullable()
    .describe(
      'Raw status: DISK_OK, DISK_NP, DISK_NP_DSBL, DISK_NP_MISSING, DISK_DSBL, DISK_DSBL_NEW, DISK_INVALID, DISK_WRONG, DISK_NEW',
    ),
  health: z
    .string()
    .describe(
      'The status in plain words, e.g. "healthy", "disabled — emulated from parity", "not installed (empty slot)"',
    ),
  needsAttention: z
    .boolean()
    .describe(
      'True when the status calls for the owner (disabled, missing, invalid, wrong disk); error counters are separate',
    ),
  temperatureC: z
    .number()
    .nullable()
    .describe('°C from emhttp; null when spun down or not reported (e.g. USB flash)'),
  spunDown: z.boolean().describe('True when the disk is in standby. Reading this never wakes it'),
  sizeBytes: bytes('Device capacity'),
  filesystem: z
    .object({
      type: z.string().nullable().describe('xfs, btrfs, zfs, vfat, luks:xfs, …'),
      status: z.string().nullable().describe('e.g. "Mounted", "Unmountable: …"'),
      sizeBytes: bytes('File system size'),
      usedBytes: bytes('Space used'),
      freeBytes: bytes('Space free'),
    })
    .nullable()
    .describe(
      'Null for parity, empty slots and pool members other than the first (pool totals are in `pools`)',
    ),
  encryption: z
    .enum(['none', 'to_be_encrypted', 'encrypted', 'locked_missing_key', 'locked_wrong_key', 'locked_error'])
    .nullable()
    .describe('LUKS state; null where not applicable (parity, flash)'),
  reads: counter.describe('Read operations since the array started'),
  writes: counter.describe('Write operations since the array started'),
  errors: counter.describe('Read/write errors since the array started; any non-zero value deserves a look'),
});

const pool = z.object({
  name: z.string(),
  members: z.array(z.string()).describe('Device names in the pool, first device first'),
  slots: z.number().int().nullable().describe('Slots configured for the pool'),
  filesystem: z.string().nullable(),
  profile: z.string().nullable().describe('RAID profile, e.g. "raid1", "single", "raidz1", "raidz2"'),
  status: z.string().nullable(),
  sizeBytes: bytes('Usable pool size'),
  usedBytes: bytes('Space used'),
  freeBytes: bytes('Space free'),
  bootPool: z.boolean().describe('True for the Unraid 7.3+ boot pool'),
});

export const systemDisks = defineTool({
  name: 'system_disks',
  title: 'Unraid disks',
  description:
    'Every array slot (parity and data, empty slots included with present=false), every pool device and the ' +
    'boot device, with raw status and plain-language health, temperature (null while spun down — this tool ' +
    'never wakes a disk), size/used/free in bytes, file system, encryption and read/write/error counters, ' +
    'plus a summary of each pool and its members. Optional `type` narrows the list. Fails on a host that is not Unraid.',
  toolset: 'system',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({
      type: z
        .enum(ROLES)
        .optional()
        .describe('Only devices of this role: parity, data, pool or boot. Pools are always listed'),
    })
    .strict(),
  output: z.object({
    disks: z.array(disk),
    pools: z.array(pool).describe('Pools with their members, from the first device of each pool'),
  }),
  run: async (args, ctx) => {
    const report = await ctx.deps.host.disks(ctx.signal);
    return args.type ? { ...report, disks: report.disks.filter((d) => d.role === args.type) } : report;
  },
});
