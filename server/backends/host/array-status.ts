import type { DisksReport } from './disks-ini.js';
import { readLastCheck, readSyncOperation, type LastCheck, type SyncOperation } from './sync-operation.js';
import type { UnraidVar } from './var-ini.js';

/** Raw md driver counters from var.ini. */
export interface VarDiskCounts {
  arrayDevices: number | null;
  disabled: number | null;
  invalid: number | null;
  missing: number | null;
  new: number | null;
}

/** Counts derived from disks.ini array slots (parity + data). */
export interface SlotDiskCounts {
  parity: number;
  data: number;
  emptySlots: number;
  healthy: number;
  disabled: number;
  invalid: number;
  missing: number;
  wrong: number;
  new: number;
  spunDown: number;
  pools: number;
  poolDevices: number;
}

export interface ArrayStatus {
  arrayState: string | null;
  arrayStateDescription: string;
  started: boolean;
  filesystemState: string | null;
  filesystemProgress: string | null;
  moverActive: boolean | null;
  diskCounts: { fromVarIni: VarDiskCounts; fromDisksIni: SlotDiskCounts | null };
  operation: SyncOperation | null;
  lastCheck: LastCheck | null;
}

const STATE_WORDS: Record<string, string> = {
  STARTED: 'started — the array is online and its disks are mounted',
  STOPPED: 'stopped — the array is offline; array disks and user shares are unavailable',
  NEW_ARRAY: 'new array — no valid configuration yet; starting it will build parity',
  RECON_DISK: 'stopped — a replaced disk will be rebuilt from parity when the array starts',
  DISABLE_DISK: 'stopped — a missing disk will be disabled and emulated when the array starts',
  SWAP_DSBL: 'stopped — a parity swap (copy parity, then rebuild) is pending',
};

/** mdState in words; `ERROR:TOO_MANY_MISSING_DISKS` → "error — too many missing disks; the array cannot start". */
export function describeArrayState(mdState: string | null): string {
  if (mdState === null) return 'unknown (emhttp reported no array state)';
  const known = STATE_WORDS[mdState];
  if (known) return known;
  if (mdState.startsWith('ERROR:')) {
    return `error — ${mdState.slice(6).replace(/_/g, ' ').toLowerCase()}; the array cannot start until it is fixed`;
  }
  return mdState.toLowerCase().replace(/_/g, ' ');
}

function countSlots(report: DisksReport): SlotDiskCounts {
  const slots = report.disks.filter((d) => d.role === 'parity' || d.role === 'data');
  const count = (pred: (s: (typeof slots)[number]) => boolean) => slots.filter(pred).length;
  const empty = (s: (typeof slots)[number]) => s.health.startsWith('not installed');
  return {
    parity: count((s) => s.role === 'parity' && !empty(s)),
    data: count((s) => s.role === 'data' && !empty(s)),
    emptySlots: count(empty),
    healthy: count((s) => s.status === 'DISK_OK'),
    disabled: count((s) => !empty(s) && (s.status?.includes('DSBL') ?? false)),
    invalid: count((s) => s.status === 'DISK_INVALID'),
    missing: count((s) => s.status === 'DISK_NP_MISSING'),
    wrong: count((s) => s.status === 'DISK_WRONG'),
    new: count((s) => s.status === 'DISK_NEW'),
    spunDown: count((s) => s.spunDown),
    pools: report.pools.length,
    poolDevices: report.disks.filter((d) => d.role === 'pool').length,
  };
}

/** Array state, disk counts and parity operation from var.ini (plus disks.ini for slot counts when present). */
export function buildArrayStatus(v: UnraidVar, disks: DisksReport | null): ArrayStatus {
  const operation = readSyncOperation(v);
  return {
    arrayState: v.mdState,
    arrayStateDescription: describeArrayState(v.mdState),
    started: v.mdState === 'STARTED',
    filesystemState: v.fsState,
    filesystemProgress: v.fsProgress,
    moverActive: v.shareMoverActive,
    diskCounts: {
      fromVarIni: {
        arrayDevices: v.mdNumDisks,
        disabled: v.mdNumDisabled,
        invalid: v.mdNumInvalid,
        missing: v.mdNumMissing,
        new: v.mdNumNew,
      },
      fromDisksIni: disks ? countSlots(disks) : null,
    },
    operation,
    lastCheck: readLastCheck(v, operation !== null),
  };
}
