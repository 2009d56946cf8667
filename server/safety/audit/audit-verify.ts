import { listAuditFiles } from './audit-files.js';
import { readLineBatchesForward } from './audit-reader.js';
import { checkRecord, GENESIS, tryParse } from './hash-chain.js';

/** The first thing wrong with the chain, located precisely enough to open the file at that line. */
export interface VerifyProblem {
  file: string;
  /** 1-based line number within `file`. */
  line: number;
  /** Seq of the broken record as written in it, when it could be read. */
  seq: number | null;
  kind:
    | 'invalid-json'
    | 'not-a-record'
    | 'hash-mismatch'
    | 'prev-mismatch'
    | 'seq-backwards'
    | 'reordered'
    | 'missing'
    | 'deleted-files';
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  records: number;
  files: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** `prev` of the first record: GENESIS if the log starts at its beginning, else the trusted anchor. */
  anchor: string | null;
  /** Files that rotation deleted, counted from the `audit.rotated-away` events in the log. */
  rotatedAwayFiles: number;
  /**
   * Bytes of an unterminated last line in audit.jsonl: a write in progress, or what a crash cut off
   * (the sidecar sets it aside when it next opens the log). Not a broken chain: no record is in it.
   */
  incompleteTailBytes: number;
  problem: VerifyProblem | null;
}

/** How far ahead a seq gap is searched for its missing record, to tell reordering from deletion. */
const LOOKAHEAD_LINES = 10_000;

interface Gap {
  file: string;
  line: number;
  seq: number;
  expected: number;
  firstInFile: boolean;
  scanned: number;
}

/**
 * Walks every file of the log in chain order, streaming line by line, and checks that each line is
 * a JSON record whose hash matches its content, whose seq is one more than the last, and whose prev
 * is the last record's hash. Stops at the first broken or missing record. A log whose oldest files
 * rotation deleted starts mid-chain: the first record's `prev` is then taken as the trusted anchor;
 * the `audit.rotated-away` events say where the log should start, so a file deleted by hand is
 * still reported. `currentFileEnd` limits audit.jsonl to what a running writer has completed.
 */
export async function verifyAudit(
  dir: string,
  opts: { currentFileEnd?: number } = {},
): Promise<VerifyReport> {
  const files = await listAuditFiles(dir);
  const report: VerifyReport = {
    ok: true,
    records: 0,
    files: files.length,
    firstSeq: null,
    lastSeq: null,
    anchor: null,
    rotatedAwayFiles: 0,
    incompleteTailBytes: 0,
    problem: null,
  };
  let last: { seq: number; hash: string } | null = null;
  let keptFromSeq = 0;
  let gap: Gap | null = null;
  const fail = (p: VerifyProblem) => {
    report.ok = false;
    report.problem = p;
  };

  outer: for (const file of files) {
    let line = 0;
    for await (const batch of readLineBatchesForward(file.path, {
      end: file.current ? opts.currentFileEnd : undefined,
    })) {
      for (const raw of batch) {
        line++;
        const text = raw.bytes.toString('utf8');
        const parsed = raw.complete ? tryParse(text) : undefined;
        if (gap) {
          const seq = (parsed as { seq?: unknown } | undefined)?.seq;
          if (seq === gap.expected) {
            fail({
              ...at(gap),
              kind: 'reordered',
              message: `out of order: expected seq ${gap.expected}, found ${gap.seq}; seq ${gap.expected} comes later, at line ${line}${file.name === gap.file ? '' : ` of ${file.name}`} (records were reordered)`,
            });
            break outer;
          }
          if (++gap.scanned >= LOOKAHEAD_LINES) break outer;
          continue;
        }
        if (!raw.complete && file.current) {
          report.incompleteTailBytes = raw.bytes.length;
          continue;
        }
        if (parsed === undefined) {
          fail({
            file: file.name,
            line,
            seq: null,
            kind: 'invalid-json',
            message: 'not valid JSON (the line was damaged or edited)',
          });
          break outer;
        }
        const check = checkRecord(parsed);
        const seq = typeof check.record?.seq === 'number' ? check.record.seq : null;
        if (!check.ok) {
          const message =
            check.reason === 'hash'
              ? 'hash mismatch: the record was changed after it was written'
              : 'not an audit record (seq, prev or hash missing or malformed)';
          fail({
            file: file.name,
            line,
            seq,
            kind: check.reason === 'hash' ? 'hash-mismatch' : 'not-a-record',
            message,
          });
          break outer;
        }
        const rec = check.record;
        if (last === null) {
          report.firstSeq = rec.seq;
          report.anchor = rec.prev;
          if ((rec.seq === 1) !== (rec.prev === GENESIS)) {
            fail({
              file: file.name,
              line,
              seq,
              kind: 'prev-mismatch',
              message:
                rec.seq === 1
                  ? 'the first record (seq 1) does not start from the genesis hash'
                  : `seq ${rec.seq} claims to be the first record (prev is the genesis hash)`,
            });
            break outer;
          }
        } else if (rec.seq <= last.seq) {
          fail({
            file: file.name,
            line,
            seq,
            kind: 'seq-backwards',
            message: `seq goes backwards: expected ${last.seq + 1}, found ${rec.seq} (records were reordered or duplicated)`,
          });
          break outer;
        } else if (rec.seq > last.seq + 1) {
          gap = {
            file: file.name,
            line,
            seq: rec.seq,
            expected: last.seq + 1,
            firstInFile: line === 1,
            scanned: 0,
          };
          continue;
        } else if (rec.prev !== last.hash) {
          fail({
            file: file.name,
            line,
            seq,
            kind: 'prev-mismatch',
            message: `prev does not match the hash of seq ${last.seq}: the record before it was replaced, or one was removed and the rest renumbered`,
          });
          break outer;
        }
        if (rec.stage === 'event' && rec.event === 'audit.rotated-away' && !rec.adopted) {
          const d = rec.details as { deleted?: unknown; keptFromSeq?: unknown };
          if (Array.isArray(d.deleted)) report.rotatedAwayFiles += d.deleted.length;
          if (typeof d.keptFromSeq === 'number') keptFromSeq = d.keptFromSeq;
        }
        last = { seq: rec.seq, hash: rec.hash };
        report.records++;
        report.lastSeq = rec.seq;
      }
    }
  }
  if (gap && !report.problem) {
    const missing =
      gap.expected === gap.seq - 1
        ? `seq ${gap.expected} is`
        : `seq ${gap.expected}–${gap.seq - 1} (${gap.seq - gap.expected} records) are`;
    fail({
      ...at(gap),
      kind: 'missing',
      message: `seq gap: expected ${gap.expected}, found ${gap.seq}: ${missing} missing (deleted${gap.firstInFile ? ', or the file holding them was removed' : ''})`,
    });
  }
  if (!report.problem && report.firstSeq !== null && keptFromSeq > 0 && report.firstSeq > keptFromSeq) {
    const first = files[0] as { name: string };
    fail({
      file: first.name,
      line: 1,
      seq: report.firstSeq,
      kind: 'deleted-files',
      message: `the log should start at seq ${keptFromSeq} (last rotation), but starts at ${report.firstSeq}: the oldest file(s) were deleted outside rotation`,
    });
  }
  return report;
}

function at(gap: Gap): Pick<VerifyProblem, 'file' | 'line' | 'seq'> {
  return { file: gap.file, line: gap.line, seq: gap.seq };
}

/** Human-readable lines for the CLI: "OK: …" or "BROKEN: file line N (seq S): what is wrong". */
export function formatVerifyReport(r: VerifyReport, dir: string): string[] {
  if (r.problem) {
    const p = r.problem;
    return [
      `BROKEN: ${p.file} line ${p.line} (seq ${p.seq ?? '?'}): ${p.message}`,
      `${r.records} records before it verified; directory ${dir}`,
    ];
  }
  const out =
    r.records === 0
      ? [`OK: 0 records in ${r.files} file${r.files === 1 ? '' : 's'}, nothing to verify (${dir})`]
      : [
          `OK: ${r.records} records in ${r.files} file${r.files === 1 ? '' : 's'}, chain intact (from seq ${r.firstSeq} to ${r.lastSeq})`,
        ];
  if (r.firstSeq !== null && r.firstSeq > 1) {
    const rotated = r.rotatedAwayFiles
      ? `${r.rotatedAwayFiles} older files were rotated away`
      : 'rotated away, or written in the other audit location';
    out.push(
      `note: the chain starts at seq ${r.firstSeq}: ${r.firstSeq - 1} earlier records are not in this directory (${rotated}); verified from the anchor prev=${r.anchor}`,
    );
  }
  if (r.incompleteTailBytes) {
    out.push(
      `note: audit.jsonl ends with ${r.incompleteTailBytes} bytes of an unfinished line (a write in progress, or cut off by a crash; the sidecar sets it aside when it next opens the log)`,
    );
  }
  return out;
}
