import { readFile } from 'node:fs/promises';
import { readVarIniText } from './var-ini-text.js';
import { parseEmhttpIni } from '../host/emhttp-ini.js';
import { readVar } from '../host/var-ini.js';
import { reader } from '../host/ini-values.js';
import { readDisks, type DiskInfo } from '../host/disks-ini.js';
import { readSyncOperation, type SyncOperation } from '../host/sync-operation.js';

/** One device as array_start weighs it: its slot name, emhttp's status code and that status in words. */
export interface DeviceProblem {
  name: string;
  status: string | null;
  health: string;
}

/** What array_start and array_stop need to know, read from var.ini and disks.ini now (never cached). */
export interface ArrayControlState {
  /** mdState: STARTED, STOPPED, NEW_ARRAY, DISABLE_DISK, RECON_DISK, SWAP_DSBL, ERROR:… (the form's startState). */
  mdState: string | null;
  /** fsState: Started, Stopped, Starting, Stopping, Formatting, Copying, Clearing — what the Main page switches on. */
  fsState: string | null;
  /** configValid: yes, or error / invalid / ineligible / nokeyserver / withdrawn (registration problems). */
  configValid: string | null;
  /** sbClean: false after an unclean shutdown. */
  cleanShutdown: boolean | null;
  nextAction: string | null;
  operation: SyncOperation | null;
  moverActive: boolean | null;
  mdNumMissing: number | null;
  /** Array slots (parity, data) whose status needs the owner: missing, disabled, invalid, wrong. */
  arrayDiskProblems: DeviceProblem[];
  /** Pool devices that are missing: the WebGUI's start would drop them from their pool. */
  missingPoolDevices: DeviceProblem[];
  /** Encrypted devices still locked (no key, wrong key): a start needs the passphrase, typed in the WebGUI. */
  lockedDevices: DeviceProblem[];
  /** False when disks.ini could not be found: the disk checks could not be made. */
  disksKnown: boolean;
}

const WITHOUT_TOKEN = { omitKeys: new Set(['csrf_token']) };

const problem = (d: DiskInfo): DeviceProblem => ({ name: d.name, status: d.status, health: d.health });

/**
 * Reads var.ini and disks.ini as they are now: both are emhttp's own cached view, so this never touches
 * a disk. csrf_token is dropped while parsing, as everywhere else.
 */
export async function readArrayControlState(
  varIniPath: string,
  disksIniPath: string,
  signal?: AbortSignal,
): Promise<ArrayControlState> {
  const ini = parseEmhttpIni(await readVarIniText(varIniPath, signal), WITHOUT_TOKEN);
  const v = readVar(ini);
  const raw = reader(ini.global);
  let disks: DiskInfo[] | null = null;
  try {
    disks = readDisks(parseEmhttpIni(await readFile(disksIniPath, { encoding: 'utf8', signal }))).disks;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
  }
  const all = disks ?? [];
  return {
    mdState: v.mdState,
    fsState: v.fsState,
    configValid: raw.str('configValid'),
    cleanShutdown: raw.bool('sbClean'),
    nextAction: v.mdResyncAction,
    operation: readSyncOperation(v),
    moverActive: v.shareMoverActive,
    mdNumMissing: v.mdNumMissing,
    arrayDiskProblems: all
      .filter((d) => (d.role === 'parity' || d.role === 'data') && d.needsAttention)
      .map(problem),
    missingPoolDevices: all
      .filter((d) => d.role === 'pool' && (d.status ?? '').includes('_MISSING'))
      .map(problem),
    lockedDevices: all.filter((d) => d.encryption?.startsWith('locked_')).map(problem),
    disksKnown: disks !== null,
  };
}
