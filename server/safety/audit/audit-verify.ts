import { ANCHOR_FILE, readAnchor } from './audit-anchor.js';
import { open, stat } from 'node:fs/promises';
import { listAuditFiles, type AuditFile } from './audit-files.js';
import { readFully, readLineBatchesForward } from './audit-reader.js';
import { checkRecord, GENESIS, tryParse } from './hash-chain.js';
import type { StoredRecord } from './audit-record.js';

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
    | 'deleted-files'
    | 'cut-head'
    | 'cut-tail'
    | 'anchor-unreadable';
  message: string;
}

/** Something the writer found done to the files and recorded in the chain (see INCIDENT_EVENTS). */
export interface VerifyIncident {
  file: string;
  line: number;
  seq: number;
  time: string;
  event: string;
  message: string;
}

/** The writer's records of tampering it found: audit.jsonl moved, replaced, cut; records gone at the start or end. */
const INCIDENT_EVENTS = new Set([
  'audit.file-replaced',
  'audit.head-cut',
  'audit.tail-cut',
  'audit.anchor-unreadable',
]);
const MAX_INCIDENTS = 100;

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
  /** What audit.anchor.json says (first seq of the log, last seq it is known to have reached), null without one. */
  anchorFile: { firstSeq: number; lastSeq: number } | null;
  /** Tampering the writer found and recorded in the chain, oldest first (at most 100). */
  incidents: VerifyIncident[];
  problem: VerifyProblem | null;
  /** "intact", or where the chain breaks: "changed at record N (file, line L): what is wrong". */
  summary: string;
  /** Seq of the first record that is not as written (for a line that cannot be read, the seq it should have had). */
  brokenAtSeq: number | null;
  /**
   * What this run read: a run that resumed from an earlier one (`incremental`) checks only the
   * records appended since, from seq `fromSeq`.
   */
  checked: { incremental: boolean; records: number; bytes: number; fromSeq: number | null; ms: number };
}

/**
 * Where an intact walk of the chain ended, to resume from there: every file walked with what it
 * was (identity, size, modification time), and the walker's state after the last record. Resuming
 * is refused (a full walk runs) when any of those files changed other than by appends to the last.
 */
export interface VerifyCheckpoint {
  dir: string;
  files: Array<{ name: string; dev: number; ino: number; size: number; mtimeMs: number }>;
  /** In the last file: the end of the last complete line walked, its line number, and where that line starts. */
  end: { offset: number; line: number; lastLineOffset: number };
  last: { seq: number; hash: string } | null;
  first: { seq: number; hash: string; prev: string } | null;
  records: number;
  keptFromSeq: number;
  rotatedAwayFiles: number;
  incidents: VerifyIncident[];
}

/** Records checked between two turns of the event loop. */
const YIELD_EVERY = 128;

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
 * audit.anchor.json and the `audit.rotated-away` events say where the log should start, so lines
 * cut from its start or a file deleted by hand are still reported. Its end is compared with the
 * last seq the anchor knows (written at rotation and shutdown) and, with the sidecar running, the
 * last seq it wrote (`writtenUpTo`): a cut tail is reported at once. `currentFileEnd` limits
 * audit.jsonl to what a running writer has completed.
 */
export async function verifyAudit(
  dir: string,
  opts: { currentFileEnd?: number; writtenUpTo?: number } = {},
): Promise<VerifyReport> {
  return (await verifyAuditResumable(dir, opts)).report;
}

/** Options of verifyAuditResumable. */
export interface VerifyOptions {
  currentFileEnd?: number;
  writtenUpTo?: number;
  /** Where an earlier intact run ended: only what follows is read, if the files before are unchanged. */
  resume?: VerifyCheckpoint | null;
}

/**
 * verifyAudit, able to resume: returns with the report a checkpoint of where an intact walk
 * ended (null when the walk found a problem on the way), and takes the previous one. Walking a
 * 1,000,000-record log takes seconds of CPU (a hash and a canonical serialisation per record);
 * after 100 appends, a resumed run reads just those. The event loop gets a turn after every
 * chunk (about 600 records), so the admin API and MCP calls keep being served meanwhile.
 */
export async function verifyAuditResumable(
  dir: string,
  opts: VerifyOptions = {},
): Promise<{ report: VerifyReport; checkpoint: VerifyCheckpoint | null }> {
  const t0 = performance.now();
  const files = await listAuditFiles(dir);
  const identities = await Promise.all(files.map((f) => identityOf(f)));
  const anchorRead = await readAnchor(dir);
  const anchor = anchorRead.state === 'ok' ? anchorRead.anchor : null;
  let resume = opts.resume ? resumePoint(opts.resume, dir, files, identities) : null;
  if (
    resume &&
    !(await sameLastLine((files[resume.index] as AuditFile).path, opts.resume as VerifyCheckpoint))
  )
    resume = null;
  const cp = resume ? (opts.resume as VerifyCheckpoint) : null;
  const report: VerifyReport = {
    ok: true,
    records: cp?.records ?? 0,
    files: files.length,
    firstSeq: cp?.first?.seq ?? null,
    lastSeq: cp?.last?.seq ?? null,
    anchor: cp?.first?.prev ?? null,
    rotatedAwayFiles: cp?.rotatedAwayFiles ?? 0,
    incompleteTailBytes: 0,
    anchorFile: anchor ? { firstSeq: anchor.first.seq, lastSeq: anchor.last.seq } : null,
    incidents: [...(cp?.incidents ?? [])],
    problem: null,
    summary: 'intact',
    brokenAtSeq: null,
    checked: { incremental: resume !== null, records: 0, bytes: 0, fromSeq: null, ms: 0 },
  };
  let last: { seq: number; hash: string } | null = cp?.last ?? null;
  let first = cp?.first ?? null;
  /** Where the last verified record is: a cut tail is reported at the line after it. */
  let lastAt = resume
    ? { file: (files[resume.index] as AuditFile).name, line: resume.line }
    : { file: files.at(-1)?.name ?? 'audit.jsonl', line: 0 };
  let keptFromSeq = cp?.keptFromSeq ?? 0;
  let gap: Gap | null = null;
  /** The end of the last complete line walked: the next checkpoint. */
  let walked: { index: number; offset: number; line: number; lastLineOffset: number } | null = resume
    ? { index: resume.index, offset: resume.offset, line: resume.line, lastLineOffset: resume.lastLineOffset }
    : null;
  const fail = (p: VerifyProblem) => {
    report.ok = false;
    report.problem = p;
  };
  // A resumed run checks the (unchanged) first record against the anchor as it is now.
  if (first && anchor) {
    const cut = cutHead(anchor.first, first, (files[0] as AuditFile).name);
    if (cut)
      fail({ file: (files[0] as AuditFile).name, line: 1, seq: first.seq, kind: 'cut-head', message: cut });
  }
  // The writer's own account of tampering it found; also taken from intact records just past a gap,
  // where the writer explains the gap it continued after.
  const noteIncident = (rec: StoredRecord, file: string, line: number) => {
    if (rec.stage !== 'event' || !INCIDENT_EVENTS.has(rec.event) || report.incidents.length >= MAX_INCIDENTS)
      return;
    const note = (rec.details as { note?: unknown }).note;
    report.incidents.push({
      file,
      line,
      seq: rec.seq,
      time: rec.time,
      event: rec.event,
      message: typeof note === 'string' ? note : rec.event,
    });
  };

  let sinceYield = 0;
  outer: for (let index = resume?.index ?? 0; index < files.length && !report.problem; index++) {
    const file = files[index] as AuditFile;
    const from = resume && index === resume.index ? resume : null;
    let line = from ? from.line : 0;
    for await (const batch of readLineBatchesForward(file.path, {
      start: from ? from.offset : 0,
      end: file.current ? opts.currentFileEnd : undefined,
    })) {
      for (const raw of batch) {
        // Hashing is CPU work (~15 µs a record): the event loop gets a turn every YIELD_EVERY
        // records, so a chunk of 256 KiB never holds it for long.
        if (++sinceYield === YIELD_EVERY) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        line++;
        report.checked.bytes += raw.bytes.length + 1;
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
          const check = parsed === undefined ? null : checkRecord(parsed);
          if (check?.ok) noteIncident(check.record, file.name, line);
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
        report.checked.fromSeq ??= rec.seq;
        if (last === null) {
          report.firstSeq = rec.seq;
          report.anchor = rec.prev;
          first = { seq: rec.seq, hash: rec.hash, prev: rec.prev };
          const cut = anchor ? cutHead(anchor.first, rec, file.name) : null;
          if (cut) {
            fail({ file: file.name, line, seq, kind: 'cut-head', message: cut });
            break outer;
          }
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
          noteIncident(rec, file.name, line);
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
        noteIncident(rec, file.name, line);
        last = { seq: rec.seq, hash: rec.hash };
        lastAt = { file: file.name, line };
        walked = { index, offset: raw.offset + raw.bytes.length + 1, line, lastLineOffset: raw.offset };
        report.records++;
        report.checked.records++;
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
  // Taken before the checks of the log's start and end: they depend on the anchor and the writer,
  // not on the records walked, and are made afresh by every run.
  const end = walked;
  const checkpoint: VerifyCheckpoint | null =
    report.problem || !end
      ? null
      : {
          dir,
          files: identities
            .slice(0, end.index + 1)
            .map((id, i) => (i === end.index ? { ...id, size: end.offset } : id)),
          end: { offset: end.offset, line: end.line, lastLineOffset: end.lastLineOffset },
          last,
          first,
          records: report.records,
          keptFromSeq,
          rotatedAwayFiles: report.rotatedAwayFiles,
          incidents: [...report.incidents],
        };
  if (!report.problem && report.firstSeq !== null && keptFromSeq > 0 && report.firstSeq > keptFromSeq) {
    const firstFile = files[0] as { name: string };
    fail({
      file: firstFile.name,
      line: 1,
      seq: report.firstSeq,
      kind: 'deleted-files',
      message: `the log should start at seq ${keptFromSeq} (last rotation), but starts at ${report.firstSeq}: the oldest file(s) were deleted outside rotation`,
    });
  }
  if (!report.problem) checkEnd(report, lastAt, anchor?.last.seq ?? 0, opts.writtenUpTo ?? 0);
  if (!report.problem && anchorRead.state === 'unreadable')
    fail({
      file: ANCHOR_FILE,
      line: 1,
      seq: null,
      kind: 'anchor-unreadable',
      message: `${ANCHOR_FILE} cannot be read (${anchorRead.problem}): whether records were cut from the start or end of the log cannot be checked (the sidecar recreates it when it next starts)`,
    });
  summarize(report);
  report.checked.ms = Math.round((performance.now() - t0) * 10) / 10;
  return { report, checkpoint };
}

/** Sets `summary` and `brokenAtSeq` from the problem, in the words the audit page shows. */
function summarize(report: VerifyReport): void {
  const p = report.problem;
  if (!p) {
    report.summary = 'intact';
    return;
  }
  report.brokenAtSeq = p.seq ?? (report.lastSeq ?? 0) + 1;
  report.summary = `changed at record ${report.brokenAtSeq} (${p.file}, line ${p.line}): ${p.message}`;
}

type Identity = VerifyCheckpoint['files'][number];

/** The checkpoint's last record is still where it was, with the hash it had (the "file + offset + hash" of the prefix). */
async function sameLastLine(path: string, cp: VerifyCheckpoint): Promise<boolean> {
  if (!cp.last) return false;
  const len = cp.end.offset - cp.end.lastLineOffset;
  const buf = Buffer.alloc(len);
  const fh = await open(path, 'r');
  try {
    if ((await readFully(fh, buf, cp.end.lastLineOffset)) !== len || buf[len - 1] !== 0x0a) return false;
  } finally {
    await fh.close();
  }
  const check = checkRecord(tryParse(buf.subarray(0, len - 1).toString('utf8')));
  return check.ok && check.record.seq === cp.last.seq && check.record.hash === cp.last.hash;
}

async function identityOf(f: AuditFile): Promise<Identity> {
  const st = await stat(f.path).catch(() => null);
  return st
    ? { name: f.name, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs }
    : { name: f.name, dev: -1, ino: -1, size: -1, mtimeMs: -1 };
}

/**
 * Where a checkpoint lets this run resume, or null when the files walked before changed: each
 * must be the same file (device and inode — a rotated file keeps the inode audit.jsonl had) with
 * the same size and modification time, in the same order, except that the last one may have
 * grown (appends to audit.jsonl). An edit that keeps a file's size and time (touch -r) is not
 * seen here; a full run (`full`) still finds it.
 */
function resumePoint(
  cp: VerifyCheckpoint,
  dir: string,
  files: AuditFile[],
  now: Identity[],
): { index: number; offset: number; line: number; lastLineOffset: number } | null {
  if (cp.dir !== dir || cp.files.length === 0 || now.length < cp.files.length) return null;
  const lastIndex = cp.files.length - 1;
  for (let i = 0; i < cp.files.length; i++) {
    const was = cp.files[i] as Identity;
    const is = now[i] as Identity;
    if (was.dev !== is.dev || was.ino !== is.ino) return null;
    if (i < lastIndex && (was.size !== is.size || was.mtimeMs !== is.mtimeMs)) return null;
    if (i === lastIndex && (is.size < was.size || (is.size === was.size && is.mtimeMs !== was.mtimeMs)))
      return null;
  }
  if (!files[lastIndex]) return null;
  return {
    index: lastIndex,
    offset: cp.end.offset,
    line: cp.end.line,
    lastLineOffset: cp.end.lastLineOffset,
  };
}

/** Null when the log's first record is where the anchor says it starts (or older, before a pending delete). */
function cutHead(
  first: { seq: number; hash: string },
  rec: { seq: number; hash: string },
  file: string,
): string | null {
  if (rec.seq > first.seq) {
    const n = rec.seq - first.seq;
    return `the log should start at seq ${first.seq} (${ANCHOR_FILE}), but its first record is seq ${rec.seq}: ${n === 1 ? `seq ${first.seq} was` : `seq ${first.seq}–${rec.seq - 1} (${n} records) were`} deleted from the start of ${file}`;
  }
  if (rec.seq === first.seq && rec.hash !== first.hash)
    return `the first record (seq ${rec.seq}) is not the one the log started with (its hash differs from ${ANCHOR_FILE}): the start of the log was replaced`;
  return null;
}

/** A cut tail: the log ends before the last seq the anchor or the running writer knows was written. */
function checkEnd(
  report: VerifyReport,
  lastAt: { file: string; line: number },
  anchorLast: number,
  writtenUpTo: number,
): void {
  const expected = Math.max(anchorLast, writtenUpTo);
  const lastSeq = report.lastSeq ?? 0;
  if (expected <= lastSeq) return;
  const n = expected - lastSeq;
  const source =
    writtenUpTo >= anchorLast
      ? 'the running sidecar has written up to'
      : `${ANCHOR_FILE} (written at the last rotation or shutdown) says it reached`;
  const gone = n === 1 ? `seq ${expected} was` : `seq ${lastSeq + 1}–${expected} (${n} records) were`;
  report.ok = false;
  report.problem = {
    file: lastAt.file,
    line: lastAt.line + 1,
    seq: lastSeq + 1,
    kind: 'cut-tail',
    message:
      report.lastSeq === null
        ? `the log holds no record, but ${source} seq ${expected}: ${gone} deleted`
        : `the log ends at seq ${lastSeq}, but ${source} seq ${expected}: ${gone} deleted from its end`,
  };
}

function at(gap: Gap): Pick<VerifyProblem, 'file' | 'line' | 'seq'> {
  return { file: gap.file, line: gap.line, seq: gap.seq };
}

/** Human-readable lines for the CLI: "OK: …" or "BROKEN: file line N (seq S): what is wrong". */
export function formatVerifyReport(r: VerifyReport, dir: string): string[] {
  const incidents = r.incidents.map(
    (i) => `incident: ${i.file} line ${i.line} (seq ${i.seq}, ${i.time}): ${i.event}: ${i.message}`,
  );
  if (r.problem) {
    const p = r.problem;
    return [
      `BROKEN: ${p.file} line ${p.line} (seq ${p.seq ?? '?'}): ${p.message}`,
      `${r.records} records before it verified; directory ${dir}`,
      ...incidents,
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
    if (!r.anchorFile)
      out.push(
        `note: there is no ${ANCHOR_FILE}, so records cut from the start of the log cannot be told from rotation`,
      );
  }
  if (r.incompleteTailBytes) {
    out.push(
      `note: audit.jsonl ends with ${r.incompleteTailBytes} bytes of an unfinished line (a write in progress, or cut off by a crash; the sidecar sets it aside when it next opens the log)`,
    );
  }
  return [...out, ...incidents];
}
