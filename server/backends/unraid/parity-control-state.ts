import { readVarIniText } from './var-ini-text.js';
import { parseEmhttpIni } from '../host/emhttp-ini.js';
import { readVar } from '../host/var-ini.js';
import { readSyncOperation, type SyncOperation } from '../host/sync-operation.js';

/** What the parity tools need to know before and after a command, straight from var.ini. */
export interface ParityControlState {
  /** mdState: STARTED, STOPPED, NEW_ARRAY, ERROR:… (sent back as the form's startState, as the WebGUI does). */
  mdState: string | null;
  arrayStarted: boolean;
  /** mdResyncAction while idle: what `cmdCheck` would start (`check P` parity check, `check` read-check, `recon …`, `clear`). */
  nextAction: string | null;
  /** The operation in progress (running or paused), or null. */
  operation: SyncOperation | null;
}

const WITHOUT_TOKEN = { omitKeys: new Set(['csrf_token']) };

/**
 * Reads var.ini now, bypassing the shared reader's cache: the point is to see what emhttpd just did.
 * csrf_token is dropped while parsing, as everywhere else.
 */
export async function readParityControlState(
  varIniPath: string,
  signal?: AbortSignal,
): Promise<ParityControlState> {
  const text = await readVarIniText(varIniPath, signal);
  const v = readVar(parseEmhttpIni(text, WITHOUT_TOKEN));
  return {
    mdState: v.mdState,
    arrayStarted: v.mdState === 'STARTED',
    nextAction: v.mdResyncAction,
    operation: readSyncOperation(v),
  };
}
