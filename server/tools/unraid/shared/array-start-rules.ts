import type { ArrayControlState, DeviceProblem } from '../../../backends/unraid/array-control-state.js';

/**
 * When array_start may send cmdStart, decided from var.ini and disks.ini the way the WebGUI's Main page
 * decides which Start button to offer. unraid-mcp never changes disk assignments, so every start that
 * would record a new configuration, rebuild onto a replacement or drop a pool device is left to the
 * WebGUI; a start with array disks missing or disabled needs the owner to approve exactly that.
 */

const REGISTRATION: Record<string, string> = {
  error: 'the registration key is invalid, missing or expired',
  invalid: 'more devices are attached than the registration key allows',
  ineligible: 'the registration key is not eligible to run this Unraid version',
  nokeyserver: 'the key server cannot be reached to validate the registration',
  withdrawn: 'this Unraid release has been withdrawn and must be updated',
};

const ERROR_STATES: Record<string, string> = {
  'ERROR:INVALID_EXPANSION': 'new disks were added while others were removed',
  'ERROR:NEW_DISK_TOO_SMALL': 'a replacement disk is smaller than the disk it replaces',
  'ERROR:PARITY_NOT_BIGGEST': 'the disk in the parity slot is not the biggest',
  'ERROR:TOO_MANY_MISSING_DISKS': 'too many disks are wrong or missing',
  'ERROR:NO_DATA_DISKS': 'no data disks are assigned',
  'ERROR:NO_DEVICES': 'no array devices are assigned',
};

const ASSIGNMENT_STATES: Record<string, string> = {
  NEW_ARRAY: 'a new array configuration would be recorded (and parity built)',
  RECON_DISK: 'a replacement disk would be rebuilt (Parity-Sync / Data-Rebuild onto the new disk)',
  SWAP_DSBL: 'a parity swap is prepared (parity copied to a new disk, then a rebuild)',
};

const list = (ds: ReadonlyArray<DeviceProblem>) =>
  ds.map((d) => `${d.name} (${d.status ?? 'no status'}: ${d.health})`).join('; ');

/** The array disks a start would run without (missing, disabled, invalid, wrong), and whether there are any. */
export function missingDisks(s: ArrayControlState): { any: boolean; text: string } {
  const named = list(s.arrayDiskProblems);
  const uncounted =
    s.arrayDiskProblems.length === 0 && (s.mdState === 'DISABLE_DISK' || (s.mdNumMissing ?? 0) > 0);
  return {
    any: s.arrayDiskProblems.length > 0 || uncounted,
    text: named || (uncounted ? `${s.mdNumMissing ?? 'some'} missing disk(s) (var.ini mdNumMissing)` : ''),
  };
}

/** Why cmdStart must not be sent now, or null. Checked before the owner is asked and again before sending. */
export function startRefusal(s: ArrayControlState, acceptMissingDisks: boolean): string | null {
  const end = ' Nothing was sent.';
  if (s.fsState === 'Started') return `The array is already started.${end}`;
  if (s.fsState !== 'Stopped')
    return `The array is ${s.fsState ? s.fsState.toLowerCase() : 'in an unknown state'} (var.ini fsState "${s.fsState ?? ''}"); wait until it has settled.${end}`;
  const reg = s.configValid && s.configValid !== 'yes' ? REGISTRATION[s.configValid] : undefined;
  if (s.configValid && s.configValid !== 'yes')
    return `Unraid will not start the array: ${reg ?? `its configuration check says "${s.configValid}"`}. See Tools → Registration in the WebGUI.${end}`;
  const md = s.mdState ?? '';
  if (md.startsWith('ERROR:'))
    return `Unraid will not start the array: ${ERROR_STATES[md] ?? md}. Fix the disk assignments on the WebGUI's Main page.${end}`;
  if (ASSIGNMENT_STATES[md])
    return `Starting now means ${ASSIGNMENT_STATES[md]} (mdState ${md}). unraid-mcp never changes disk assignments; start the array from the WebGUI's Main page.${end}`;
  if (!['STOPPED', 'STARTED', 'DISABLE_DISK'].includes(md))
    return `The array is in a state unraid-mcp does not start from (mdState "${md}"); use the WebGUI's Main page.${end}`;
  if (!s.disksKnown)
    return `disks.ini was not found, so the disks could not be checked before a start.${end}`;
  if (s.lockedDevices.length)
    return `Encrypted devices are locked (${list(s.lockedDevices)}); the array starts once the passphrase or key file is entered on the WebGUI's Main page.${end}`;
  if (s.missingPoolDevices.length)
    return `Pool devices are missing (${list(s.missingPoolDevices)}); a start would remove them from their pool, a change of disk assignments unraid-mcp does not make. Use the WebGUI's Main page.${end}`;
  const missing = missingDisks(s);
  if (missing.any && !acceptMissingDisks)
    return `Array disks are missing or not valid: ${missing.text}. Starting would run the array without them (their contents emulated from parity where it can, unprotected meanwhile). Only if the owner wants exactly that, call again with accept_missing_disks: true; the approval will name these disks.${end}`;
  return null;
}

/** True when a start also begins a parity check: after an unclean shutdown, as the Main page offers it (correcting, its default). */
export const startsParityCheck = (s: ArrayControlState): boolean =>
  s.mdState === 'STOPPED' && s.cleanShutdown === false && /^check \S/.test(s.nextAction ?? '');

/** What else the start begins, in words, from mdResyncAction (as the Main page says it). */
export function startAlsoBegins(s: ArrayControlState): string | null {
  const [verb, target] = (s.nextAction ?? '').split(' ');
  if (s.mdState !== 'STOPPED') return null;
  if (verb === 'recon') return target === 'P' || target === 'Q' ? 'a Parity-Sync' : 'a Data-Rebuild';
  if (verb === 'clear') return 'a Disk-Clear of the new data disk(s)';
  if (startsParityCheck(s))
    return 'a correcting parity check (an unclean shutdown was detected; the WebGUI starts one, correcting by default)';
  return null;
}
