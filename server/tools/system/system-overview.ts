import { z } from 'zod';
import { defineTool } from '../define-tool.js';

const bytes = (what: string) => z.number().int().nonnegative().describe(`${what}, in bytes`);

const temperature = z.object({
  hwmon: z
    .string()
    .describe('sysfs hwmon device the reading came from (e.g. "hwmon2"); tells apart two identical chips'),
  chip: z.string().describe('Kernel driver name of the sensor chip (e.g. "coretemp", "nvme", "nct6798")'),
  chipLabel: z
    .string()
    .describe(
      'Readable chip name, e.g. "CPU (coretemp)", "NVMe (Samsung SSD 980 PRO 1TB)", "Motherboard (nct6798)"',
    ),
  sensor: z
    .string()
    .describe(
      'Sensor label from the chip (e.g. "Package id 0", "Core 1", "Composite"), or "tempN" when unlabelled',
    ),
  celsius: z.number(),
  maxCelsius: z.number().nullable().describe('High threshold reported by the chip; null when none'),
  critCelsius: z.number().nullable().describe('Critical threshold reported by the chip; null when none'),
});

const fan = z.object({
  hwmon: z.string(),
  chip: z.string(),
  chipLabel: z.string(),
  sensor: z.string().describe('Fan label, or "fanN" (the header number on the board) when unlabelled'),
  rpm: z
    .number()
    .int()
    .nonnegative()
    .describe('0 only for a fan the chip flags as stalled; idle headers are omitted'),
});

export const systemOverview = defineTool({
  name: 'system_overview',
  title: 'Host overview',
  description:
    'Health snapshot of the server: host name, Unraid version, kernel, uptime, load, CPU usage (overall and ' +
    'per core), memory and swap in bytes (plus ZFS ARC size), and temperature and fan sensors. Start here for ' +
    '"how is my server doing?". Works on any Linux host; the `unraid` field is null when no Unraid state is ' +
    'present. Readings are at most one second old. For the array, disks and shares use system_array_status, ' +
    'system_disks and system_shares.',
  toolset: 'system',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({}).strict(),
  output: z.object({
    hostname: z.string().nullable(),
    kernel: z.string().nullable().describe('Kernel release (e.g. "6.12.24-Unraid")'),
    uptimeSeconds: z.number().int().nonnegative().nullable(),
    unraid: z
      .object({
        version: z.string().nullable().describe('Unraid OS version (e.g. "7.1.4")'),
        serverName: z.string().nullable().describe('Server name set in Unraid identification settings'),
        description: z.string().nullable().describe('Server description from identification settings'),
        arrayState: z
          .string()
          .nullable()
          .describe('Raw md array state (e.g. "STARTED", "STOPPED"); details in system_array_status'),
        filesystemState: z.string().nullable().describe('Raw emhttp file system state (e.g. "Started")'),
      })
      .nullable()
      .describe('Null when this host has no Unraid state (not Unraid, or emhttp has not started yet)'),
    load: z
      .object({ one: z.number(), five: z.number(), fifteen: z.number() })
      .nullable()
      .describe(
        'Load averages over 1, 5 and 15 minutes (runnable plus uninterruptible tasks; disk-bound work counts)',
      ),
    cpu: z
      .object({
        model: z.string().nullable(),
        logicalCores: z.number().int().nonnegative(),
        usagePercent: z.number().describe('Busy share of all CPU time (user, system, irq, steal), 0–100'),
        iowaitPercent: z
          .number()
          .describe('Share of CPU time idle while waiting for disk I/O, 0–100; high during parity checks'),
        perCore: z.array(z.object({ core: z.number().int().nonnegative(), usagePercent: z.number() })),
        basis: z
          .enum(['interval', 'since_boot'])
          .describe(
            '"interval": measured since the previous sample; "since_boot": no CPU time elapsed since it, so this is the average since boot',
          ),
        intervalSeconds: z
          .number()
          .describe('Length of the measured window in seconds (for since_boot, roughly the uptime)'),
      })
      .nullable(),
    memory: z
      .object({
        totalBytes: bytes('Installed memory usable by the kernel'),
        usedBytes: bytes(
          'Memory in use: total minus available (includes the ZFS ARC, which shrinks under pressure)',
        ),
        availableBytes: bytes('Memory available for new work without swapping (MemAvailable)'),
        freeBytes: bytes('Completely unused memory'),
        buffersBytes: bytes('Block device buffers'),
        cachedBytes: bytes(
          'Page cache; on Unraid it also holds the RAM-based root file system, so not all of it can be reclaimed',
        ),
        swap: z.object({
          totalBytes: bytes('Swap size'),
          usedBytes: bytes('Swap in use'),
          freeBytes: bytes('Free swap'),
        }),
        zfsArcBytes: z
          .number()
          .int()
          .nonnegative()
          .nullable()
          .describe('Current ZFS ARC size in bytes; null when ZFS is not loaded'),
      })
      .nullable(),
    temperatures: z
      .array(temperature)
      .describe(
        'hwmon temperature sensors; empty when the host exposes none. Disk temperatures are in system_disks',
      ),
    fans: z.array(fan).describe('hwmon fan speeds; headers reading 0 rpm with no alarm are left out'),
  }),
  run: async (_args, ctx) => ctx.deps.host.overview(),
});
