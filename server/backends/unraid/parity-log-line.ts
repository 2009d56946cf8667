/**
 * One line of `/boot/config/parity-checks.log`, the history the WebGUI appends to when an operation
 * ends: `date|duration|speed|status|errors` (old releases), then `…|action|size` (7 fields). An 8th or
 * further field appears on some servers; the Parity Check Tuning plugin writes its own variants where
 * field 6 is an elapsed time instead of the action (`…|elapsed|increments[|type]`). Fields are told apart
 * by what they hold, never by count alone.
 */
export type ParityOperationKind =
  'parity_check' | 'read_check' | 'parity_sync' | 'data_rebuild' | 'disk_clear' | 'unknown';

export interface ParityLogEntry {
  /** Wall-clock end time as written (server local time), normalised to `YYYY-MM-DD HH:MM:SS`. */
  date: string;
  /** The same instant as ISO 8601, read in the sidecar's (that is, the server's) time zone. */
  finishedAt: string;
  durationSeconds: number;
  /** Average speed in bytes/s; null when the line has none or only text that is not a rate. */
  speedBytesPerSecond: number | null;
  exitCode: number;
  result: 'success' | 'cancelled' | 'error';
  errors: number;
  kind: ParityOperationKind;
  rawAction: string | null;
  /** True/false only where the line says so (a plugin's type text); the WebGUI's log does not record it. */
  correcting: boolean | null;
  sizeBytes: number | null;
  format: 'old' | 'standard' | 'tuning-plugin';
}

const MONTHS: Record<string, number> = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};
const DATE_RE = /^(\d{4}) ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})$/;
const INT_RE = /^-?\d+$/;
const ACTION_RE = /^(check|recon|clear)(?: [A-Z][A-Z0-9]*)*$/;
const UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
const SPEED_TEXT_RE = /^(\d+(?:\.\d+)?) ?([KMGT]?B)\/s(?:ec)?$/i;

const pad = (n: number) => String(n).padStart(2, '0');

function parseDate(raw: string): { date: string; finishedAt: string } | null {
  const m = DATE_RE.exec(raw.trim());
  if (!m) return null;
  const [, y, mon, d, hh, mm, ss] = m;
  const month = MONTHS[mon!];
  const day = Number(d);
  if (!month || day < 1 || day > 31 || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return null;
  const local = new Date(Number(y), month - 1, day, Number(hh), Number(mm), Number(ss));
  if (local.getDate() !== day) return null; // 31 Feb and the like
  return { date: `${y}-${pad(month)}-${pad(day)} ${hh}:${mm}:${ss}`, finishedAt: local.toISOString() };
}

/** Bytes/s as the current WebGUI writes it, or the old text (`85.3 MB/s`); "0", "" and other text → null. */
function parseSpeed(raw: string): number | null | undefined {
  const s = raw.trim();
  if (s === '' || s === '0' || /^unavailable$/i.test(s)) return null;
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s));
  const m = SPEED_TEXT_RE.exec(s);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
}

function classify(action: string | null): ParityOperationKind {
  if (action === null) return 'unknown';
  const [verb, ...rest] = action.split(' ');
  if (verb === 'check') return rest.length > 0 ? 'parity_check' : 'read_check';
  if (verb === 'recon') return rest.every((t) => t === 'P' || t === 'Q') ? 'parity_sync' : 'data_rebuild';
  if (verb === 'clear') return 'disk_clear';
  return 'unknown';
}

/** "Non-Correcting"/"Correcting" in a plugin's type text; otherwise unknown. */
function correctingFrom(text: string | undefined): boolean | null {
  if (!text) return null;
  if (/non[- ]?correct/i.test(text)) return false;
  if (/correct/i.test(text)) return true;
  return null;
}

function toInt(raw: string | undefined): number | null {
  const s = raw?.trim() ?? '';
  return INT_RE.test(s) ? Number(s) : null;
}

/** One history line, or null when it matches none of the known formats (the caller counts those). */
export function parseParityLogLine(line: string): ParityLogEntry | null {
  const fields = line.replace(/\r$/, '').split('|');
  if (fields.length !== 5 && (fields.length < 7 || fields.length > 10)) return null;
  // Indexed reads, not array destructuring: this runs once per history line.
  const durRaw = fields[1];
  const speedRaw = fields[2];
  const statusRaw = fields[3];
  const errRaw = fields[4];
  const f6 = fields[5];
  const f7 = fields[6];
  const f8 = fields[7];
  const f9 = fields[8];
  const when = parseDate(fields[0]!);
  const duration = toInt(durRaw);
  const speed = parseSpeed(speedRaw!);
  const exitCode = toInt(statusRaw);
  const errors = toInt(errRaw);
  if (!when || duration === null || duration < 0 || speed === undefined || exitCode === null) return null;
  if (errors === null || errors < 0) return null;

  let rawAction: string | null = null;
  let sizeKib: number | null = null;
  let correcting: boolean | null = null;
  let format: ParityLogEntry['format'] = 'old';
  if (fields.length >= 7) {
    const sixth = f6!.trim().replace(/\s+/g, ' ');
    if (ACTION_RE.test(sixth)) {
      rawAction = sixth;
      if (fields.length === 9 && toInt(f7) !== null && toInt(f8) !== null) {
        format = 'tuning-plugin'; // action|elapsed|increments|type
        correcting = correctingFrom(f9);
      } else {
        sizeKib = f7!.trim() === '' ? null : toInt(f7);
        if (sizeKib === null && f7!.trim() !== '') return null;
        format = 'standard';
        correcting = correctingFrom(fields.slice(7).join(' '));
      }
    } else if (toInt(f6) !== null && toInt(f7) !== null && fields.length <= 8) {
      format = 'tuning-plugin'; // elapsed|increments[|type]
      correcting = correctingFrom(f8);
      rawAction = /read[- ]?check/i.test(f8 ?? '')
        ? 'check'
        : /parity[- ]?check/i.test(f8 ?? '')
          ? 'check P'
          : null;
    } else return null;
  }
  return {
    date: when.date,
    finishedAt: when.finishedAt,
    durationSeconds: duration,
    speedBytesPerSecond: speed,
    exitCode,
    result: exitCode === 0 ? 'success' : exitCode === -4 ? 'cancelled' : 'error',
    errors,
    kind: classify(rawAction),
    rawAction,
    correcting,
    sizeBytes: sizeKib === null ? null : sizeKib * 1024,
    format,
  };
}
