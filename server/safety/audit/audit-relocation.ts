import { createHash } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '../../log.js';
import { writeFileAtomic } from '../../config/atomic-write.js';
import type { AdoptedFrom, AuditEntry, StoredRecord } from './audit-record.js';
import { listAuditFiles, type AuditFile } from './audit-files.js';
import { readLinesBackward, readLinesForward } from './audit-reader.js';
import {
  checkRecord,
  isChained,
  tryParse,
  withoutChainFields,
  type ChainedLine,
  type ChainTail,
} from './hash-chain.js';
import { fsyncDir } from './fs-util.js';
import { findRecordBySeq } from './audit-lookup.js';
import { removeAnchor } from './audit-anchor.js';

/**
 * Moving records between two audit directories (appdata ⇄ RAM) without losing or duplicating any.
 *
 * Order of operations, so a crash at any point loses nothing: write a journal in the destination
 * naming the source → copy the records the destination lacks → fsync → delete them from the source
 * → remove the journal. AuditLog.open() finishes a journalled move before it accepts a record, and
 * a rerun skips what is already there, so a crash between copy and delete does not duplicate.
 *
 * Two ways to copy:
 * - verbatim: the source is an intact chain that continues the destination's last record (the
 *   sidecar moved appdata → RAM → appdata). Lines are appended byte for byte; seq/prev/hash stay.
 *   A rerun skips records whose seq is already present.
 * - re-chained: the chains have forked — typically the sidecar booted into RAM (new chain from
 *   genesis) before the array brought appdata back with the older chain — or the source is damaged.
 *   Each source line becomes a new record in the destination's chain carrying
 *   `adopted: {chain, n, seq, hash}`: the source chain's id (SHA-256 of its first line), the line's
 *   position, and its original seq and hash. The source chain is verified first and the result is
 *   reported, so re-chaining does not launder tampering; a line that is not a record is kept as an
 *   `audit.unreadable-line` event with its text. A rerun skips lines up to the last adopted `n`.
 */
export interface AdoptionTarget {
  readonly dir: string;
  tail(): ChainTail;
  appendLines(lines: ChainedLine[]): Promise<void>;
  appendAdopted(items: Array<{ entry: AuditEntry; adopted: AdoptedFrom }>): Promise<void>;
  sync(): Promise<void>;
}

export interface AdoptionResult {
  from: string;
  mode: 'nothing' | 'verbatim' | 'already-present' | 're-chained';
  /** Records appended to the destination by this run. */
  copied: number;
  /** Source lines already in the destination (a rerun after a crash). */
  skipped: number;
  /** Source files deleted after the copy was fsynced. */
  sourceFiles: number;
  sourceIntact: boolean;
  /** The first problem found in the source chain, when it was not intact. */
  sourceProblem: string | null;
}

export const JOURNAL = '.relocation.json';
const CHUNK_BYTES = 256 * 1024;

/** Copies every record of `fromDir` that `target` lacks into it, then empties `fromDir`. */
export async function adoptFrom(target: AdoptionTarget, fromDir: string): Promise<AdoptionResult> {
  if (resolve(fromDir) === resolve(target.dir))
    throw new Error(`cannot move the audit log in ${fromDir} into itself`);
  const files = await listAuditFiles(fromDir);
  const result: AdoptionResult = {
    from: fromDir,
    mode: 'nothing',
    copied: 0,
    skipped: 0,
    sourceFiles: files.length,
    sourceIntact: true,
    sourceProblem: null,
  };
  if (!files.length) {
    // An anchor left without records (an earlier move) would make the directory look cut when reused.
    await removeAnchor(fromDir).catch(() => {});
    await removeJournal(target.dir);
    return result;
  }
  await writeFileAtomic(join(target.dir, JOURNAL), JSON.stringify({ from: fromDir }) + '\n');

  const tail = target.tail();
  const last = await lastOwnRecord(target.dir);
  const src = await scanSource(files, [tail, last ? { seq: last.seq, hash: last.hash } : null]);
  result.sourceIntact = src.problem === null;
  result.sourceProblem = src.problem;

  const tailAt = src.found[0] ?? null;
  const continues = src.first !== null && src.first.seq === tail.seq + 1 && src.first.prev === tail.hash;
  if (src.problem === null && (tail.seq === 0 || tailAt !== null || continues)) {
    result.mode = 'verbatim';
    await copyVerbatim(target, files, result);
  } else if (
    src.problem === null &&
    src.last &&
    src.last.seq <= tail.seq &&
    (await findRecordBySeq(target.dir, src.last.seq))?.hash === src.last.hash
  ) {
    // Copied before a crash kept the source from being emptied; an intact source only, so a damaged
    // line is never deleted without having been copied (re-chaining keeps it, as unreadable-line).
    result.mode = 'already-present';
    result.skipped = src.lines;
  } else {
    result.mode = 're-chained';
    const skipTo = last?.adopted?.chain === src.chainId ? last.adopted.n : (src.found[1] ?? 0);
    await copyRechained(target, files, src.chainId, skipTo, result);
  }
  await target.sync();
  // The source's anchor goes first: a crash part-way leaves records without an anchor (recreated on
  // open), never an anchor whose records have gone (which would read as a cut log).
  await removeAnchor(fromDir);
  for (const f of files) await unlink(f.path);
  await fsyncDir(fromDir);
  await removeJournal(target.dir);
  return result;
}

/** Finishes a move a crash interrupted; null when there was none. */
export async function finishJournal(target: AdoptionTarget, log: Logger): Promise<AdoptionResult | null> {
  const text = await readFile(join(target.dir, JOURNAL), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (text === null) return null;
  const from = (tryParse(text) as { from?: unknown } | undefined)?.from;
  if (typeof from !== 'string') {
    log.error('audit relocation journal is unreadable; removing it', { text: text.slice(0, 200) });
    await removeJournal(target.dir);
    return null;
  }
  log.warn('audit log: finishing a relocation a crash interrupted', { from });
  return adoptFrom(target, from);
}

async function removeJournal(dir: string): Promise<void> {
  try {
    await unlink(join(dir, JOURNAL));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await fsyncDir(dir);
}

interface SourceScan {
  /** SHA-256 of the source's first line: names the source chain for re-chained resumes. */
  chainId: string;
  first: { seq: number; prev: string } | null;
  last: { seq: number; hash: string } | null;
  lines: number;
  problem: string | null;
  /** For each wanted (seq, hash): the position n of the source line holding it, if any. */
  found: Array<number | undefined>;
}

/** One streaming pass over the source: chain intact? where does it meet the destination? */
async function scanSource(files: AuditFile[], wanted: Array<ChainTail | null>): Promise<SourceScan> {
  const scan: SourceScan = { chainId: '', first: null, last: null, lines: 0, problem: null, found: [] };
  let prev: { seq: number; hash: string } | null = null;
  for (const file of files) {
    let lineNo = 0;
    for await (const raw of readLinesForward(file.path)) {
      lineNo++;
      scan.lines++;
      if (scan.lines === 1) scan.chainId = createHash('sha256').update(raw.bytes).digest('hex');
      const where = `${file.name} line ${lineNo}`;
      const check = raw.complete ? checkRecord(tryParse(raw.bytes.toString('utf8'))) : null;
      if (!check?.ok) {
        scan.problem ??= `${where}: ${!raw.complete ? 'incomplete last line' : check?.reason === 'hash' ? 'hash mismatch' : 'not a record'}`;
        continue;
      }
      const rec = check.record;
      if (prev && (rec.seq !== prev.seq + 1 || rec.prev !== prev.hash))
        scan.problem ??= `${where}: does not continue seq ${prev.seq}`;
      scan.first ??= { seq: rec.seq, prev: rec.prev };
      wanted.forEach((w, i) => {
        if (w && w.seq === rec.seq && w.hash === rec.hash) scan.found[i] = scan.lines;
      });
      prev = scan.last = { seq: rec.seq, hash: rec.hash };
    }
  }
  return scan;
}

async function copyVerbatim(
  target: AdoptionTarget,
  files: AuditFile[],
  result: AdoptionResult,
): Promise<void> {
  let chunk: ChainedLine[] = [];
  let bytes = 0;
  let expect = target.tail();
  for (const file of files) {
    for await (const raw of readLinesForward(file.path)) {
      const rec = tryParse(raw.bytes.toString('utf8'));
      if (!isChained(rec)) throw new Error(`${file.name} changed during relocation`);
      if (rec.seq <= expect.seq) {
        result.skipped++;
        continue;
      }
      // Re-checked while copying: the destination must never get a line that does not continue it.
      if (expect.seq !== 0 && (rec.seq !== expect.seq + 1 || rec.prev !== expect.hash))
        throw new Error(
          `${file.name}: seq ${rec.seq} does not continue the destination at seq ${expect.seq}`,
        );
      chunk.push({ seq: rec.seq, hash: rec.hash, line: raw.bytes.toString('utf8') });
      expect = { seq: rec.seq, hash: rec.hash };
      bytes += raw.bytes.length;
      if (bytes >= CHUNK_BYTES) {
        await target.appendLines(chunk);
        result.copied += chunk.length;
        chunk = [];
        bytes = 0;
      }
    }
  }
  if (chunk.length) await target.appendLines(chunk);
  result.copied += chunk.length;
}

async function copyRechained(
  target: AdoptionTarget,
  files: AuditFile[],
  chain: string,
  skipTo: number,
  result: AdoptionResult,
): Promise<void> {
  let items: Array<{ entry: AuditEntry; adopted: AdoptedFrom }> = [];
  let bytes = 0;
  let n = 0;
  for (const file of files) {
    for await (const raw of readLinesForward(file.path)) {
      n++;
      if (n <= skipTo) {
        result.skipped++;
        continue;
      }
      const text = raw.bytes.toString('utf8');
      const parsed = raw.complete ? tryParse(text) : undefined;
      let entry: AuditEntry;
      const adopted: AdoptedFrom = { chain, n };
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const { seq, hash } = parsed as Partial<StoredRecord>;
        entry = withoutChainFields(parsed as Record<string, unknown>) as unknown as AuditEntry;
        if (typeof seq === 'number') adopted.seq = seq;
        if (typeof hash === 'string') adopted.hash = hash;
      } else {
        entry = {
          id: createHash('sha256').update(raw.bytes).digest('hex').slice(0, 32),
          time: new Date().toISOString(),
          stage: 'event',
          principal: 'system',
          event: 'audit.unreadable-line',
          details: { file: file.name, text, complete: raw.complete },
        };
      }
      items.push({ entry, adopted });
      bytes += raw.bytes.length;
      if (bytes >= CHUNK_BYTES) {
        await target.appendAdopted(items);
        result.copied += items.length;
        items = [];
        bytes = 0;
      }
    }
  }
  if (items.length) await target.appendAdopted(items);
  result.copied += items.length;
}

/**
 * The destination's last record that is not the log's own housekeeping (rotation, recovery and
 * relocation events are written between copied chunks and after a crash), read backwards from the
 * end; null for an empty log. Bounded: housekeeping never runs to thousands of lines.
 */
async function lastOwnRecord(dir: string): Promise<StoredRecord | null> {
  const files = (await listAuditFiles(dir)).reverse();
  let seen = 0;
  for (const file of files) {
    for await (const raw of readLinesBackward(file.path)) {
      const rec = tryParse(raw.bytes.toString('utf8'));
      if (!isChained(rec)) continue;
      if (
        rec.stage === 'event' &&
        rec.principal === 'system' &&
        rec.event.startsWith('audit.') &&
        !rec.adopted &&
        ++seen < 1000
      )
        continue;
      return rec;
    }
  }
  return null;
}
