import type { DiskInfo } from '../host/disks-ini.js';
import { parseEmhttpIni } from '../host/emhttp-ini.js';
import { readVar } from '../host/var-ini.js';
import { readDiskSlots } from './disk-slots.js';
import { readVarIniText } from './var-ini-text.js';

/** What the spin tools decide on: the disks as emhttp shows them now, and whether the array is started. */
export interface SpinContext {
  disks: DiskInfo[];
  /** var.ini fsState: Started, Stopped, … — the WebGUI offers spin control only while it is Started. */
  fsState: string | null;
}

const WITHOUT_TOKEN = { omitKeys: new Set(['csrf_token']) };

/** Both files read now (no cache): the answer must reflect what emhttp just did. */
export async function readSpinContext(
  disksIniPath: string,
  varIniPath: string,
  signal?: AbortSignal,
): Promise<SpinContext> {
  const [disks, varText] = await Promise.all([
    readDiskSlots(disksIniPath, signal),
    readVarIniText(varIniPath, signal, 'Nothing was sent.'),
  ]);
  return { disks, fsState: readVar(parseEmhttpIni(varText, WITHOUT_TOKEN)).fsState };
}
