import type { QueryParams } from '../api/client.js';
import type { AuditPage, AuditRecord, VerifyReport } from '../api/types.js';
import { formatBytes, formatTime, localToIso } from '../format.js';

/** The Audit view's search form, as typed. */
export interface AuditFilters {
  q: string;
  tool: string;
  target: string;
  principal: string;
  /** '' (any), ok, error, denied, or an error code. */
  outcome: string;
  /** datetime-local values (the browser's time zone). */
  from: string;
  to: string;
}

export const EMPTY_FILTERS: AuditFilters = {
  q: '',
  tool: '',
  target: '',
  principal: '',
  outcome: '',
  from: '',
  to: '',
};

/** The admin API's query parameters for the filters (empty ones left out). */
export function auditParams(f: AuditFilters): QueryParams {
  return {
    q: f.q.trim(),
    tool: f.tool.trim(),
    target: f.target.trim(),
    principal: f.principal.trim(),
    outcome: f.outcome.trim(),
    from: localToIso(f.from),
    to: localToIso(f.to),
  };
}

/** The chain check in one sentence: "intact" or where it changed. */
export function verifyText(r: VerifyReport): string {
  if (r.ok && !r.problem) {
    const n = `${r.records} record${r.records === 1 ? '' : 's'}`;
    return `Intact: ${n} in ${r.files} file${r.files === 1 ? '' : 's'}, every hash matches.`;
  }
  const p = r.problem;
  if (!p) return 'The chain is not intact.';
  const where = p.seq !== null ? `record ${p.seq}` : `line ${p.line} of ${p.file}`;
  return `Changed at ${where} (${p.file}, line ${p.line}): ${p.message}`;
}

/** What a record says happened, in a word: ok, error (code), denied; '' for events (their name says it). */
export function outcomeText(r: AuditRecord): string {
  if (r.stage === 'event') return '';
  if (r.stage === 'intent') return 'started';
  if (r.decision && !r.decision.allowed) return 'denied';
  if (r.result?.status === 'error') return r.result.code ? `error (${r.result.code})` : 'error';
  return r.result?.status ?? '';
}

/** `container:plex`, or '' when the record has no target. */
export function targetText(r: AuditRecord): string {
  const t = r.target;
  return t ? `${t.kind}:${t.ref}` : '';
}

/** The tool called, or for an event its name and the tool it concerns (`confirmation.denied (docker_stop)`). */
export function toolText(r: AuditRecord): string {
  if (r.stage !== 'event') return r.tool ?? '';
  return r.tool ? `${r.event ?? 'event'} (${r.tool})` : (r.event ?? 'event');
}

/** Said under a page the sidecar stopped filling because its scan budget ran out; null for a full answer. */
export function partialText(p: AuditPage): string | null {
  if (p.complete !== false) return null;
  const read = p.scanned ? `Searched ${formatBytes(p.scanned.bytes)} of the log` : 'Searched part of the log';
  const until = p.scanned?.until ? `, back to ${formatTime(p.scanned.until)}` : '';
  return `${read}${until}. Older records may match too: Older searches further.`;
}
