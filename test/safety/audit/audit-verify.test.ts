import { afterAll, describe, expect, it } from 'vitest';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyAudit, formatVerifyReport } from '../../../server/safety/audit/audit-verify.js';
import { chainHash } from '../../../server/safety/audit/hash-chain.js';
import { canonicalJson } from '../../../server/safety/audit/canonical-json.js';
import { appendMany, chainFiles, openLog, tempDir, removeTempDirs } from './audit-helpers.js';

afterAll(removeTempDirs);

/** A closed log of n records in a single audit.jsonl. */
async function logOf(n: number): Promise<{ dir: string; lines: string[] }> {
  const dir = await tempDir();
  const log = await openLog(dir);
  await appendMany(log, n);
  await log.close();
  return { dir, lines: (await readFile(join(dir, 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean) };
}

async function rewrite(dir: string, lines: string[], file = 'audit.jsonl'): Promise<void> {
  await writeFile(join(dir, file), lines.join('\n') + '\n');
}

const verdict = async (dir: string) => formatVerifyReport(await verifyAudit(dir), dir)[0];

describe('audit verify', () => {
  it('accepts an intact chain', async () => {
    const { dir } = await logOf(10);
    const report = await verifyAudit(dir);
    expect(report).toMatchObject({
      ok: true,
      records: 10,
      files: 1,
      firstSeq: 1,
      lastSeq: 10,
      problem: null,
    });
    expect(await verdict(dir)).toBe('OK: 10 records in 1 file, chain intact (from seq 1 to 10)');
  });

  it('names an edited line: hash mismatch', async () => {
    const { dir, lines } = await logOf(10);
    lines[4] = (lines[4] as string).replace('"plex"', '"jellyfin"');
    await rewrite(dir, lines);
    expect(await verdict(dir)).toBe(
      'BROKEN: audit.jsonl line 5 (seq 5): hash mismatch: the record was changed after it was written',
    );
    expect((await verifyAudit(dir)).problem).toMatchObject({
      file: 'audit.jsonl',
      line: 5,
      seq: 5,
      kind: 'hash-mismatch',
    });
  });

  it('names an edited line whose hash was recomputed: the next record no longer links to it', async () => {
    const { dir, lines } = await logOf(10);
    const rec = JSON.parse(lines[4] as string) as Record<string, unknown>;
    rec.principal = 'someone-else';
    delete rec.hash;
    rec.hash = chainHash(rec.prev as string, canonicalJson(rec));
    lines[4] = JSON.stringify(rec);
    await rewrite(dir, lines);
    expect(await verdict(dir)).toBe(
      'BROKEN: audit.jsonl line 6 (seq 6): prev does not match the hash of seq 5: the record before it was replaced, or one was removed and the rest renumbered',
    );
  });

  it('names a deleted line: seq gap', async () => {
    const { dir, lines } = await logOf(10);
    lines.splice(4, 1);
    await rewrite(dir, lines);
    expect(await verdict(dir)).toBe(
      'BROKEN: audit.jsonl line 5 (seq 6): seq gap: expected 5, found 6: seq 5 is missing (deleted)',
    );
  });

  it('names reordered lines', async () => {
    const { dir, lines } = await logOf(10);
    [lines[4], lines[5]] = [lines[5] as string, lines[4] as string];
    await rewrite(dir, lines);
    expect(await verdict(dir)).toBe(
      'BROKEN: audit.jsonl line 5 (seq 6): out of order: expected seq 5, found 6; seq 5 comes later, at line 6 (records were reordered)',
    );
    expect((await verifyAudit(dir)).problem?.kind).toBe('reordered');
  });

  it('names a duplicated line: seq goes backwards', async () => {
    const { dir, lines } = await logOf(10);
    lines.splice(6, 0, lines[2] as string);
    await rewrite(dir, lines);
    expect(await verdict(dir)).toBe(
      'BROKEN: audit.jsonl line 7 (seq 3): seq goes backwards: expected 7, found 3 (records were reordered or duplicated)',
    );
  });

  it('names a damaged line', async () => {
    const { dir, lines } = await logOf(5);
    await rewrite(dir, [...lines.slice(0, 2), 'not json', ...lines.slice(3)]);
    expect(await verdict(dir)).toBe(
      'BROKEN: audit.jsonl line 3 (seq ?): not valid JSON (the line was damaged or edited)',
    );
  });

  it('notes an unfinished last line of audit.jsonl (a write in progress, or crash debris) without calling the chain broken', async () => {
    const { dir, lines } = await logOf(5);
    await writeFile(join(dir, 'audit.jsonl'), lines.join('\n') + '\n' + (lines[0] as string).slice(0, 40));
    const report = await verifyAudit(dir);
    expect(report).toMatchObject({ ok: true, records: 5, incompleteTailBytes: 40 });
    expect(formatVerifyReport(report, dir)).toEqual([
      'OK: 5 records in 1 file, chain intact (from seq 1 to 5)',
      'note: audit.jsonl ends with 40 bytes of an unfinished line (a write in progress, or cut off by a crash; the sidecar sets it aside when it next opens the log)',
    ]);
  });

  it('calls an unfinished line inside a rotated file broken', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { maxFileBytes: 2048 });
    await appendMany(log, 20);
    await log.close();
    const [first] = await chainFiles(dir);
    const text = await readFile(join(dir, first as string), 'utf8');
    await writeFile(join(dir, first as string), text.slice(0, -30));
    expect((await verifyAudit(dir)).problem).toMatchObject({ file: first, kind: 'invalid-json' });
  });

  it('follows the chain across at least three rotated files', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { maxFileBytes: 2048 });
    await appendMany(log, 40);
    await log.close();
    const files = await chainFiles(dir);
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(files.at(-1)).toBe('audit.jsonl');
    expect(files[0]).toBe('audit.0000000000000001.jsonl');
    expect(await verdict(dir)).toBe(
      `OK: 40 records in ${files.length} files, chain intact (from seq 1 to 40)`,
    );

    // A record edited in a middle file is named in that file.
    const middle = files[1] as string;
    const text = await readFile(join(dir, middle), 'utf8');
    await writeFile(join(dir, middle), text.replace('"docker_restart"', '"docker_remove"'));
    expect(await verdict(dir)).toMatch(
      new RegExp(`^BROKEN: ${middle.replace(/\./g, '\\.')} line 1 \\(seq \\d+\\): hash mismatch`),
    );
  });

  it('reports files rotated away by keep-N and verifies from the anchor, but names a file deleted by hand', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { maxFileBytes: 2048, keepFiles: 2, persistent: false });
    await appendMany(log, 60);
    await log.close();
    const files = await chainFiles(dir);
    expect(files).toHaveLength(3);
    const report = await verifyAudit(dir);
    expect(report.ok).toBe(true);
    expect(report.firstSeq).toBeGreaterThan(1);
    expect(report.rotatedAwayFiles).toBeGreaterThanOrEqual(3);
    const [ok, note] = formatVerifyReport(report, dir);
    expect(ok).toMatch(/^OK: \d+ records in 3 files, chain intact \(from seq \d+ to \d+\)$/);
    expect(note).toBe(
      `note: the chain starts at seq ${report.firstSeq}: ${(report.firstSeq as number) - 1} earlier records are not in this directory (${report.rotatedAwayFiles} older files were rotated away); verified from the anchor prev=${report.anchor}`,
    );

    expect(report.anchorFile).toEqual({ firstSeq: report.firstSeq, lastSeq: report.lastSeq });

    await unlink(join(dir, files[0] as string));
    const broken = await verifyAudit(dir);
    // audit.anchor.json, moved by each rotation, names the real start.
    expect(broken.problem).toMatchObject({ file: files[1], line: 1, kind: 'cut-head' });
    const start = report.firstSeq as number;
    const now = broken.firstSeq as number;
    expect(broken.problem?.message).toBe(
      `the log should start at seq ${start} (audit.anchor.json), but its first record is seq ${now}: seq ${start}–${now - 1} (${now - start} records) were deleted from the start of ${files[1]}`,
    );
    // Without the anchor the rotation events still tell.
    await unlink(join(dir, 'audit.anchor.json'));
    const still = await verifyAudit(dir);
    expect(still.problem).toMatchObject({ file: files[1], line: 1, kind: 'deleted-files' });
    expect(still.problem?.message).toBe(
      `the log should start at seq ${report.firstSeq} (last rotation), but starts at ${still.firstSeq}: the oldest file(s) were deleted outside rotation`,
    );
  });

  it('names a rotated file missing from the middle', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { maxFileBytes: 2048 });
    await appendMany(log, 40);
    await log.close();
    const files = await chainFiles(dir);
    await unlink(join(dir, files[1] as string));
    const p = (await verifyAudit(dir)).problem;
    expect(p).toMatchObject({ file: files[2], line: 1, kind: 'missing' });
    expect(p?.message).toMatch(
      /^seq gap: expected \d+, found \d+: seq \d+–\d+ \(\d+ records\) are missing \(deleted, or the file holding them was removed\)$/,
    );
  });

  it('reports an empty directory as nothing to verify', async () => {
    const dir = await tempDir();
    expect(await verdict(dir)).toBe(`OK: 0 records in 0 files, nothing to verify (${dir})`);
  });
});
