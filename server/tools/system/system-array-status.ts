import { z } from 'zod';
import { defineTool } from '../define-tool.js';

const count = z.number().int().nonnegative();
const iso = z.iso.datetime();

export const systemArrayStatus = defineTool({
  name: 'system_array_status',
  title: 'Unraid array status',
  description:
    'State of the Unraid array: started/stopped (raw state and plain words), disk counts, any parity check, ' +
    'parity sync, data rebuild or disk clear in progress (percent, speed, ETA, paused, correcting), and the ' +
    'result of the last parity check (when, how long, errors, success/cancelled/error). Use it for "is my ' +
    'array healthy?", "is a parity check running?" or "when was parity last checked?". Per-disk detail is in ' +
    'system_disks. Fails on a host that is not Unraid.',
  toolset: 'system',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({}).strict(),
  output: z.object({
    arrayState: z
      .string()
      .nullable()
      .describe(
        'Raw md state: STARTED, STOPPED, NEW_ARRAY, RECON_DISK, DISABLE_DISK, SWAP_DSBL or ERROR:<reason>',
      ),
    arrayStateDescription: z.string().describe('The array state in plain words'),
    started: z.boolean().describe('True when the array is started (arrayState STARTED)'),
    filesystemState: z
      .string()
      .nullable()
      .describe('Raw emhttp file system state, e.g. "Started", "Stopped", "Formatting"'),
    filesystemProgress: z
      .string()
      .nullable()
      .describe('emhttp progress message (e.g. "Autostart disabled"); null when none'),
    moverActive: z
      .boolean()
      .nullable()
      .describe('True while the mover is moving files between pools and the array'),
    diskCounts: z.object({
      fromVarIni: z
        .object({
          arrayDevices: count.nullable().describe('mdNumDisks: array devices assigned, parity included'),
          disabled: count
            .nullable()
            .describe(
              'mdNumDisabled; NOTE: an unassigned parity2 slot counts here, so 1 is normal on single-parity arrays',
            ),
          invalid: count
            .nullable()
            .describe('mdNumInvalid; counts unassigned parity slots like `disabled` does'),
          missing: count.nullable().describe('mdNumMissing: assigned devices that are not present'),
          new: count.nullable().describe('mdNumNew: new devices not yet in the array'),
        })
        .describe("The md driver's raw counters from var.ini"),
      fromDisksIni: z
        .object({
          parity: count.describe('Parity slots with a device assigned'),
          data: count.describe('Data slots with a device assigned'),
          emptySlots: count.describe('Array slots with nothing assigned (not counted as disabled)'),
          healthy: count.describe('Array devices with status DISK_OK'),
          disabled: count.describe(
            'Assigned array devices that are disabled (DISK_DSBL, DISK_DSBL_NEW, DISK_NP_DSBL on an assigned slot)',
          ),
          invalid: count.describe('Array devices with status DISK_INVALID'),
          missing: count.describe('Assigned array devices that are not present (DISK_NP_MISSING)'),
          wrong: count.describe('Slots holding a different device than assigned (DISK_WRONG)'),
          new: count.describe('New devices (DISK_NEW)'),
          spunDown: count.describe('Array devices currently spun down'),
          pools: count.describe('Number of pools (cache pools, ZFS/btrfs pools, boot pool)'),
          poolDevices: count.describe('Devices in all pools'),
        })
        .nullable()
        .describe(
          'Counts derived from the per-slot status in disks.ini — prefer these; null when disks.ini is missing',
        ),
    }),
    operation: z
      .object({
        kind: z.enum(['parity_check', 'read_check', 'parity_sync', 'data_rebuild', 'disk_clear', 'unknown']),
        description: z.string().describe('The operation in plain words'),
        rawAction: z
          .string()
          .nullable()
          .describe('mdResyncAction, e.g. "check P", "check P Q", "recon D5", "clear"'),
        targets: z.array(z.string()).describe('Slots named in the action: "parity", "parity2", "disk5"'),
        correcting: z
          .boolean()
          .nullable()
          .describe(
            'Parity checks only: true when found errors are written to parity; null for other operations',
          ),
        paused: z.boolean(),
        percent: z.number().nullable().describe('Progress, 0–100, two decimals'),
        positionBytes: z.number().nonnegative().nullable(),
        totalBytes: z.number().nonnegative().nullable(),
        speedBytesPerSecond: z
          .number()
          .nonnegative()
          .nullable()
          .describe('Current speed in bytes/s (mdResyncDb KiB over mdResyncDt seconds); null while paused'),
        etaSeconds: z
          .number()
          .nonnegative()
          .nullable()
          .describe('Estimated seconds left at the current speed; null while paused or stalled'),
        startedAt: iso.nullable().describe('When the operation started (ISO 8601)'),
        errorsSoFar: count.nullable().describe('Sync errors found so far'),
      })
      .nullable()
      .describe('The parity/sync operation in progress, or null when none is running'),
    lastCheck: z
      .object({
        time: iso
          .nullable()
          .describe('When the last check finished, or when it started if the end is unknown (ISO 8601)'),
        startedAt: iso.nullable(),
        finishedAt: iso.nullable(),
        durationSeconds: count.nullable(),
        errors: count.nullable().describe('Sync errors the check found'),
        exitCode: z
          .number()
          .int()
          .nullable()
          .describe('sbSyncExit: 0 = success, -4 = cancelled by the user, other = error'),
        result: z.enum(['success', 'cancelled', 'error', 'unknown']),
        resultDescription: z.string(),
      })
      .nullable()
      .describe(
        'The last finished parity check/sync; null when none is recorded. While an operation runs only its previous end time is known',
      ),
  }),
  run: async (_args, ctx) => ctx.deps.host.arrayStatus(ctx.signal),
});
