import type { EmhttpIni } from './emhttp-ini.js';
import { reader } from './ini-values.js';

/**
 * The subset of var.ini this plugin uses, typed. Picking fields explicitly (instead of passing the map
 * around) means nothing else from var.ini — registration data, paths, and above all `csrf_token`, which
 * is already dropped at parse time (see emhttp-files.ts) — can leak into a tool result by accident.
 * Unknown/unset values are null.
 */
export interface UnraidVar {
  version: string | null;
  serverName: string | null;
  comment: string | null;
  mdState: string | null;
  fsState: string | null;
  fsProgress: string | null;
  mdNumDisks: number | null;
  mdNumDisabled: number | null;
  mdNumInvalid: number | null;
  mdNumMissing: number | null;
  mdNumNew: number | null;
  /** Size (KiB) of the running sync operation; 0 when idle. */
  mdResync: number | null;
  mdResyncPos: number | null;
  mdResyncSize: number | null;
  /** KiB processed during the last sample interval. */
  mdResyncDb: number | null;
  /** Length of the last sample interval in seconds; 0 while paused. */
  mdResyncDt: number | null;
  mdResyncAction: string | null;
  mdResyncCorr: number | null;
  sbSynced: number | null;
  sbSynced2: number | null;
  sbSyncErrs: number | null;
  sbSyncExit: number | null;
  shareMoverActive: boolean | null;
}

/** Extracts the typed fields from a parsed var.ini. */
export function readVar(ini: EmhttpIni): UnraidVar {
  const v = reader(ini.global);
  return {
    version: v.str('version'),
    serverName: v.str('NAME'),
    comment: v.str('COMMENT'),
    mdState: v.str('mdState'),
    fsState: v.str('fsState'),
    fsProgress: v.str('fsProgress'),
    mdNumDisks: v.num('mdNumDisks'),
    mdNumDisabled: v.num('mdNumDisabled'),
    mdNumInvalid: v.num('mdNumInvalid'),
    mdNumMissing: v.num('mdNumMissing'),
    mdNumNew: v.num('mdNumNew'),
    mdResync: v.num('mdResync'),
    mdResyncPos: v.num('mdResyncPos'),
    mdResyncSize: v.num('mdResyncSize'),
    mdResyncDb: v.num('mdResyncDb'),
    mdResyncDt: v.num('mdResyncDt'),
    mdResyncAction: v.str('mdResyncAction'),
    mdResyncCorr: v.num('mdResyncCorr'),
    sbSynced: v.num('sbSynced'),
    sbSynced2: v.num('sbSynced2'),
    sbSyncErrs: v.num('sbSyncErrs'),
    sbSyncExit: v.num('sbSyncExit'),
    shareMoverActive: v.bool('shareMoverActive'),
  };
}
