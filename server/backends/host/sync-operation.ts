import type { UnraidVar } from './var-ini.js';
import { unixToIso } from './ini-values.js';

export type SyncKind =
  'parity_check' | 'read_check' | 'parity_sync' | 'data_rebuild' | 'disk_clear' | 'unknown';

export interface SyncOperation {
  kind: SyncKind;
  description: string;
  rawAction: string | null;
  targets: string[];
  correcting: boolean | null;
  paused: boolean;
  percent: number | null;
  positionBytes: number | null;
  totalBytes: number | null;
  speedBytesPerSecond: number | null;
  etaSeconds: number | null;
  startedAt: string | null;
  errorsSoFar: number | null;
}

export type LastCheckResult = 'success' | 'cancelled' | 'error' | 'unknown';

export interface LastCheck {
  time: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationSeconds: number | null;
  errors: number | null;
  exitCode: number | null;
  result: LastCheckResult;
  resultDescription: string;
}

/** `P` → parity, `Q` → parity2, `D5` → disk5 (the tokens after the verb in mdResyncAction). */
function targetName(token: string): string {
  if (token === 'P') return 'parity';
  if (token === 'Q') return 'parity2';
  const m = /^D(\d+)$/.exec(token);
  return m ? `disk${m[1]}` : token;
}

/** mdResyncAction → kind, as the WebGUI status bar names it (Parity-Check, Read-Check, Parity-Sync, Data-Rebuild, Disk-Clear). */
function classify(action: string | null): { kind: SyncKind; targets: string[] } {
  const [verb, ...rest] = (action ?? '').split(/\s+/).filter(Boolean);
  const targets = rest.map(targetName);
  switch (verb) {
    case 'check':
      return { kind: rest.length > 0 ? 'parity_check' : 'read_check', targets };
    case 'recon':
      return { kind: rest.every((t) => t === 'P' || t === 'Q') ? 'parity_sync' : 'data_rebuild', targets };
    case 'clear':
      return { kind: 'disk_clear', targets };
    default:
      return { kind: 'unknown', targets };
  }
}

function describe(kind: SyncKind, targets: string[], correcting: boolean | null): string {
  const named = (fallback: string) => (targets.length > 0 ? targets.join(' and ') : fallback);
  switch (kind) {
    case 'parity_check': {
      const dual = targets.length > 1 ? ` (${named('')})` : '';
      const mode =
        correcting === true
          ? ' — writing corrections to parity'
          : correcting === false
            ? ' — read-only, no corrections'
            : '';
      return `parity check${dual}${mode}`;
    }
    case 'read_check':
      return 'read check — no valid parity, so every disk is read to find read errors';
    case 'parity_sync':
      return `parity sync — building ${named('parity')}`;
    case 'data_rebuild':
      return `data rebuild — reconstructing ${named('a disk')} from parity`;
    case 'disk_clear':
      return 'disk clear — zeroing a newly added disk';
    default:
      return 'unknown array operation';
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The running parity/sync operation, or null when idle. Running = `mdResync` > 0 or `mdResyncPos` > 0;
 * paused = running with `mdResyncDt` = 0 (what the WebGUI shows as "Paused").
 * Units, as the WebGUI computes them: positions and sizes are KiB; `mdResyncDb` is KiB done during the
 * last sample interval and `mdResyncDt` that interval in seconds, so speed = Db × 1024 / Dt bytes/s and
 * ETA = (size − pos) × Dt / Db seconds. The total is `mdResyncSize` (the WebGUI's choice), else `mdResync`.
 */
export function readSyncOperation(v: UnraidVar): SyncOperation | null {
  const pos = v.mdResyncPos ?? 0;
  if ((v.mdResync ?? 0) <= 0 && pos <= 0) return null;
  const { kind, targets } = classify(v.mdResyncAction);
  const total =
    v.mdResyncSize && v.mdResyncSize > 0 ? v.mdResyncSize : v.mdResync && v.mdResync > 0 ? v.mdResync : null;
  const dt = v.mdResyncDt ?? 0;
  const db = v.mdResyncDb ?? 0;
  const paused = v.mdResyncDt === 0;
  const correcting = kind === 'parity_check' && v.mdResyncCorr !== null ? v.mdResyncCorr === 1 : null;
  return {
    kind,
    description: describe(kind, targets, correcting),
    rawAction: v.mdResyncAction,
    targets,
    correcting,
    paused,
    percent: total ? round2((pos / total) * 100) : null,
    positionBytes: pos * 1024,
    totalBytes: total === null ? null : total * 1024,
    speedBytesPerSecond: dt > 0 ? Math.round((db * 1024) / dt) : null,
    etaSeconds: dt > 0 && db > 0 && total !== null ? Math.round(((total - pos) * dt) / db) : null,
    startedAt: unixToIso(v.sbSynced),
    errorsSoFar: v.sbSyncErrs,
  };
}

/**
 * The last finished check. Idle: `sbSynced` = start, `sbSynced2` = end, `sbSyncErrs`, `sbSyncExit`
 * (0 = success, -4 = cancelled by the user, anything else = error). While an operation runs, `sbSynced`
 * is the current start, so only an earlier `sbSynced2` (the previous end) is known about the last check.
 * Null when there is no record (`sbSynced` = 0: never checked since the array was created).
 */
export function readLastCheck(v: UnraidVar, running: boolean): LastCheck | null {
  const start = v.sbSynced ?? 0;
  const end = v.sbSynced2 ?? 0;
  if (running) {
    if (end <= 0 || end >= start) return null;
    const at = unixToIso(end);
    return {
      time: at,
      startedAt: null,
      finishedAt: at,
      durationSeconds: null,
      errors: null,
      exitCode: null,
      result: 'unknown',
      resultDescription: 'finished; its details are overwritten while the current operation runs',
    };
  }
  if (start <= 0) return null;
  const exit = v.sbSyncExit;
  return {
    time: unixToIso(end > 0 ? end : start),
    startedAt: unixToIso(start),
    finishedAt: unixToIso(end),
    durationSeconds: end > 0 && end >= start ? end - start : null,
    errors: v.sbSyncErrs,
    exitCode: exit,
    ...describeExit(exit),
  };
}

/** sbSyncExit → result, as the WebGUI words it (it shows -4 as "aborted", any other non-zero as an error code). */
function describeExit(exit: number | null): { result: LastCheckResult; resultDescription: string } {
  if (exit === null) return { result: 'unknown', resultDescription: 'unknown' };
  if (exit === 0) return { result: 'success', resultDescription: 'completed successfully' };
  if (exit === -4)
    return { result: 'cancelled', resultDescription: 'cancelled by the user before it finished' };
  return { result: 'error', resultDescription: `stopped with error code ${exit}` };
}
