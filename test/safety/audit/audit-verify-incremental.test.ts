import { afterAll, describe, expect, it } from 'vitest';
import { readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyAuditResumable } from '../../../server/safety/audit/audit-verify.js';
import { appendMany, openLog, removeTempDirs, tempDir } from './audit-helpers.js';

afterAll(removeTempDirs);

/** A running log over several rotated files (~600 bytes a record, 8 KiB files). */
async function runningLog(records: number) {
  const dir = await tempDir();
  const log = await openLog(dir, { maxFileBytes: 8 * 1024, keepFiles: 1000 });
  await appendMany(log, records);
  return { dir, log };
}

const rotated = async (dir: string) =>
  (await readdir(dir)).filter((n) => /^audit\.\d{16}\.jsonl$/.test(n)).sort();

/** Replaces `from` by `to` (same length) in the line of `file` holding seq `seq`; keeps the file's size. */
async function editRecord(dir: string, file: string, seq: number, from: string, to: string): Promise<number> {
  const path = join(dir, file);
  const lines = (await readFile(path, 'utf8')).split('\n');
  const i = lines.findIndex((l) => l.includes(`"seq":${seq},`));
  expect(i).toBeGreaterThanOrEqual(0);
  lines[i] = (lines[i] as string).replace(from, to);
  await writeFile(path, lines.join('\n'));
  return i + 1;
}

describe('incremental verify', () => {
  it('checks only what was appended since the last run, across a rotation', async () => {
    const { dir, log } = await runningLog(60);
    const first = await log.verify();
    expect(first).toMatchObject({ ok: true, summary: 'intact', brokenAtSeq: null, records: 60 });
    expect(first.checked).toMatchObject({ incremental: false, records: 60, fromSeq: 1 });
    const filesBefore = (await rotated(dir)).length;
    await appendMany(log, 30);
    expect((await rotated(dir)).length).toBeGreaterThan(filesBefore);
    const second = await log.verify();
    expect(second).toMatchObject({ ok: true, summary: 'intact', records: 90, lastSeq: 90 });
    expect(second.checked).toMatchObject({ incremental: true, records: 30, fromSeq: 61 });
    const third = await log.verify();
    expect(third.checked).toMatchObject({ incremental: true, records: 0 });
    expect((await log.verify({ full: true })).checked).toMatchObject({ incremental: false, records: 90 });
    await log.close();
  });

  it('re-verifies everything when a file before the verified point changed, and names the record', async () => {
    const { dir, log } = await runningLog(60);
    expect((await log.verify()).ok).toBe(true);
    const file = (await rotated(dir))[1] as string;
    const firstSeq = Number(file.slice(6, 22));
    const line = await editRecord(dir, file, firstSeq + 2, '"plex"', '"PLEX"');
    await appendMany(log, 1);
    const report = await log.verify();
    expect(report.checked.incremental).toBe(false);
    expect(report).toMatchObject({
      ok: false,
      brokenAtSeq: firstSeq + 2,
      problem: { file, line, seq: firstSeq + 2, kind: 'hash-mismatch' },
      summary: `changed at record ${firstSeq + 2} (${file}, line ${line}): hash mismatch: the record was changed after it was written`,
    });
    // A broken chain is not a checkpoint: the next run walks everything again and still finds it.
    const again = await log.verify();
    expect(again).toMatchObject({ ok: false, brokenAtSeq: firstSeq + 2, checked: { incremental: false } });
    await log.close();
  });

  it('notices an edit that keeps the size, by the modification time', async () => {
    const { dir, log } = await runningLog(40);
    expect((await log.verify()).ok).toBe(true);
    const file = (await rotated(dir))[0] as string;
    const before = await stat(join(dir, file));
    await editRecord(dir, file, 3, '"claude"', '"CLAUDE"');
    expect((await stat(join(dir, file))).size).toBe(before.size);
    const report = await log.verify();
    expect(report).toMatchObject({ ok: false, brokenAtSeq: 3, checked: { incremental: false } });
    await log.close();
  });

  it('notices the last verified record replaced in the file being written', async () => {
    const dir = await tempDir();
    const log = await openLog(dir);
    await appendMany(log, 5);
    await log.close();
    const r1 = await verifyAuditResumable(dir);
    expect(r1.report.ok).toBe(true);
    // Same size, and the time set back: only the re-read of the last verified line can tell.
    const path = join(dir, 'audit.jsonl');
    const st = await stat(path);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/"docker_restart"(?=[^\n]*\n$)/, '"docker_restarT"'));
    await utimes(path, st.atime, st.mtime);
    const r2 = await verifyAuditResumable(dir, { resume: r1.checkpoint });
    expect(r2.report).toMatchObject({ ok: false, brokenAtSeq: 5, checked: { incremental: false } });
  });

  it('resumes after an append to a closed log, and sees a cut tail all the same', async () => {
    const dir = await tempDir();
    let log = await openLog(dir);
    await appendMany(log, 5);
    await log.close();
    const r1 = await verifyAuditResumable(dir);
    log = await openLog(dir);
    await appendMany(log, 3);
    await log.close();
    const r2 = await verifyAuditResumable(dir, { resume: r1.checkpoint });
    expect(r2.report).toMatchObject({ ok: true, lastSeq: r1.report.lastSeq! + 3 });
    expect(r2.report.checked).toMatchObject({ incremental: true, records: 3 });
    // The anchor knows the log's end: cutting records off is reported even by a resumed run.
    const path = join(dir, 'audit.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    await writeFile(path, lines.slice(0, -2).join('\n') + '\n');
    const r3 = await verifyAuditResumable(dir, { resume: r2.checkpoint });
    expect(r3.report.problem?.kind).toBe('cut-tail');
  });
});
