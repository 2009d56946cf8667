import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { ToolError } from '../../errors/tool-error.js';
import { findDisk, readDiskSlots } from '../../backends/unraid/disk-slots.js';
import { runSmartctl } from '../../backends/unraid/smartctl-run.js';
import { messages, readSmartReport, standbyMode } from '../../backends/unraid/smart-report.js';
import { unraidLayout } from './shared/unraid-layout.js';
import { diskNameSchema } from './shared/disk-name.js';

const status = z.enum(['ok', 'warning', 'failing']);

const smartSchema = z.object({
  protocol: z.enum(['ATA', 'NVMe', 'SCSI']).nullable(),
  model: z.string().nullable(),
  serial: z.string().nullable(),
  firmware: z.string().nullable(),
  capacityBytes: z.number().nonnegative().nullable(),
  verdict: z.enum(['passed', 'failed', 'unknown']).describe("smartctl's overall health self-assessment"),
  health: status.describe('The verdict and the checks together: failing beats warning beats ok'),
  temperatureC: z.number().nullable(),
  powerOnHours: z.number().nonnegative().nullable(),
  wearPercentUsed: z
    .number()
    .nonnegative()
    .nullable()
    .describe('SSD/NVMe endurance used; null for hard disks'),
  checks: z
    .array(
      z.object({
        name: z
          .string()
          .describe('Stable name: reallocated_sectors, pending_sectors, udma_crc_errors, wear, …'),
        label: z.string(),
        value: z.number().nullable(),
        unit: z.string().nullable(),
        status,
        note: z.string(),
      }),
    )
    .describe(
      'The attributes that matter: reallocated, pending and offline-uncorrectable sectors, UDMA CRC errors, error log, wear, media errors, temperature, power-on time',
    ),
  failingAttributes: z
    .array(z.object({ id: z.number().int(), name: z.string(), when: z.enum(['now', 'past']) }))
    .describe('ATA attributes at or below their threshold now, or in the past'),
  exitStatusNotes: z.array(z.string()).describe("What smartctl's exit status bits say"),
  smartctlMessages: z.array(z.string()),
});

export const diskSmart = defineTool({
  name: 'disk_smart',
  title: 'SMART health of one disk',
  description:
    'SMART data of one disk by its Unraid name (disk1, parity, cache, a pool member), read with smartctl: the ' +
    'overall verdict and the attributes that matter, each flagged ok/warning/failing — reallocated, pending and ' +
    'offline-uncorrectable sectors, UDMA CRC errors (cabling), SSD/NVMe wear, NVMe media errors and critical ' +
    'warnings, temperature, power-on hours. Never wakes a disk: a disk emhttp shows as spun down is not touched, ' +
    'and smartctl runs with -n standby, so one that went to sleep meanwhile is left asleep (answered as spun ' +
    'down, not woken).',
  toolset: 'unraid',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ disk: diskNameSchema }).strict(),
  output: z.object({
    disk: z.string(),
    device: z.string().describe('The device emhttp assigns to the disk (sdc, nvme0n1)'),
    state: z
      .enum(['read', 'spun_down'])
      .describe('read: SMART data below; spun_down: the disk is asleep and was not woken, so there is none'),
    smartctlRan: z.boolean().describe('False when disks.ini already showed the disk spun down'),
    message: z.string(),
    smart: smartSchema.nullable(),
  }),
  run: async ({ disk: name }, ctx) => {
    const layout = unraidLayout(ctx);
    const disk = findDisk(await readDiskSlots(layout.disksIni, ctx.signal), name);
    if (!disk.device)
      throw new ConflictError(
        `${name} has no device assigned (emhttp status ${disk.status ?? 'unknown'}), so there is no drive to read SMART from. Nothing was run.`,
      );
    const base = { disk: name, device: disk.device };
    if (disk.spunDown)
      return {
        ...base,
        state: 'spun_down' as const,
        smartctlRan: false,
        message: `${name} (${disk.device}) is spun down. Its SMART data was not read, so it stays asleep (not woken). Spin it up with disk_spin_up first if you need it now.`,
        smart: null,
      };
    const out = await runSmartctl(layout.smartctl, disk.device, ctx.signal);
    const mode = standbyMode(out.json, out.exitStatus);
    if (mode)
      return {
        ...base,
        state: 'spun_down' as const,
        smartctlRan: true,
        message: `${name} (${disk.device}) is in ${mode} mode (spun down since emhttp last looked). smartctl left it asleep (not woken), so there is no SMART data now.`,
        smart: null,
      };
    if (out.exitStatus & 0b11) {
      const said = messages(out.json).join(' ');
      throw new ToolError(
        'smartctl_failed',
        out.exitStatus & 0b1
          ? `smartctl did not accept its command line (exit status ${out.exitStatus})${said ? `: ${said}` : ''}. It may be too old (7.0 or later is needed).`
          : `smartctl could not open ${disk.device} for ${name} (exit status ${out.exitStatus})${said ? `: ${said}` : ''}.`,
      );
    }
    const smart = readSmartReport(out.json, out.exitStatus, disk.rotational);
    const flagged = smart.checks.filter((c) => c.status !== 'ok').map((c) => c.label.toLowerCase());
    const verdict =
      smart.verdict === 'passed'
        ? 'SMART overall-health: PASSED'
        : smart.verdict === 'failed'
          ? 'SMART overall-health: FAILED — back up its data and replace the drive'
          : 'SMART overall-health: not reported';
    return {
      ...base,
      state: 'read' as const,
      smartctlRan: true,
      message: `${name} (${disk.device}${smart.model ? `, ${smart.model}` : ''}): ${verdict}. ${
        flagged.length ? `Needs a look: ${flagged.join(', ')}.` : 'No attribute needs attention.'
      }`,
      smart,
    };
  },
});
