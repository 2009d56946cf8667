import { outcomeOf, type StoredRecord } from './audit-record.js';

/**
 * The audit log as CSV for a spreadsheet (RFC 4180: comma-separated, CRLF line ends, a field with
 * a comma, quote, CR or LF quoted and its quotes doubled). Columns are what a person reads; the
 * NDJSON export is the faithful copy (every field, verifiable hashes).
 */
export const CSV_COLUMNS = [
  'time',
  'seq',
  'stage',
  'tool',
  'target',
  'principal',
  'client',
  'outcome',
  'event',
  'reason',
  'durationMs',
  'args',
  'id',
  'hash',
] as const;

export const CSV_HEADER = CSV_COLUMNS.join(',') + '\r\n';

/** One record as a CSV row, CRLF-terminated. */
export function csvRow(rec: StoredRecord): string {
  const target = rec.target ? `${rec.target.kind}:${rec.target.ref}` : '';
  const client = rec.stage !== 'event' && rec.client ? `${rec.client.name} ${rec.client.version}` : '';
  const cells: Record<(typeof CSV_COLUMNS)[number], string | number> = {
    time: rec.time,
    seq: rec.seq,
    stage: rec.stage,
    tool: rec.tool ?? '',
    target,
    principal: rec.principal,
    client,
    outcome: rec.stage === 'outcome' ? (outcomeOf(rec) ?? '') : '',
    event: rec.stage === 'event' ? rec.event : '',
    reason: reasonOf(rec),
    durationMs: rec.stage === 'outcome' ? (rec.durationMs ?? '') : '',
    args: JSON.stringify(rec.stage === 'event' ? rec.details : rec.args) ?? '',
    id: rec.id,
    hash: rec.hash,
  };
  return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',') + '\r\n';
}

/** Why a call was denied or failed (rule, code and message), or an event's own reason or note. */
function reasonOf(rec: StoredRecord): string {
  if (rec.stage === 'event') {
    const d = rec.details as { reason?: unknown; note?: unknown };
    return typeof d.reason === 'string' ? d.reason : typeof d.note === 'string' ? d.note : '';
  }
  if (rec.stage !== 'outcome') return '';
  const parts: string[] = [];
  if (!rec.decision.allowed && rec.decision.rule) parts.push(rec.decision.rule);
  if (rec.result?.code) parts.push(rec.result.code);
  if (rec.result?.message) parts.push(rec.result.message);
  return parts.join(': ');
}

/**
 * One field. A text starting with = + - @ (or a tab or CR, which some spreadsheets skip before
 * such a character) would be run as a formula when the file is opened — container names and
 * arguments come from clients — so it gets a leading apostrophe, which spreadsheets show as text.
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
