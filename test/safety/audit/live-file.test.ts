import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  appendFile,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { verifyAudit } from '../../../server/safety/audit/audit-verify.js';
import type { StoredRecord } from '../../../server/safety/audit/audit-record.js';
import {
  appendMany,
  chainFiles,
  intent,
  openLog,
  readAll,
  removeTempDirs,
  tempDir,
} from './audit-helpers.js';

afterAll(removeTempDirs);

/**
 * audit.jsonl changed behind the running writer, which keeps its file open: before each batch it
 * compares the path with that file, restores what it wrote from the open handle, records an
 * `audit.file-replaced` event and continues the chain in a fresh audit.jsonl.
 */
async function liveLog(n = 5) {
  const dir = await tempDir();
  const log = await openLog(dir);
  await appendMany(log, n);
  const path = join(dir, 'audit.jsonl');
  return { dir, log, path, original: await readFile(path, 'utf8') };
}

const eventsOf = (recs: StoredRecord[], name: string) =>
  recs.filter((r) => r.stage === 'event' && r.event === name) as Array<
    StoredRecord & { details: Record<string, unknown> }
  >;

describe('audit.jsonl moved, deleted or replaced while the writer runs', () => {
  it('mv: restores the records from the open file, records where the file went, and continues the chain', async () => {
    const { dir, log, path, original } = await liveLog();
    await rename(path, join(dir, 'stolen.jsonl'));
    const next = await log.append(intent(), true);
    // seq 6 is the event: the check runs before the batch is chained.
    expect(next.seq).toBe(7);
    expect(await readFile(join(dir, 'audit.0000000000000001.jsonl'), 'utf8')).toBe(original);
    const recs = await readAll(dir);
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(eventsOf(recs, 'audit.file-replaced')[0]).toMatchObject({
      seq: 6,
      details: {
        found: 'missing',
        movedTo: 'stolen.jsonl',
        restoredTo: 'audit.0000000000000001.jsonl',
        lastSeq: 5,
        note: 'audit.jsonl was moved away or deleted while the sidecar was writing it (it is now stolen.jsonl); the records written to it (seq 1–5) were restored from the still-open file as audit.0000000000000001.jsonl; a new audit.jsonl continues the chain after seq 5.',
      },
    });
    const status = log.status();
    expect(status.ok).toBe(false);
    expect(status.incidents).toEqual([
      {
        time: expect.any(String) as string,
        kind: 'file-replaced',
        message: expect.stringContaining('stolen.jsonl') as string,
      },
    ]);
    await log.close();
    const report = await verifyAudit(dir);
    expect(report).toMatchObject({ ok: true, records: 7, firstSeq: 1, lastSeq: 7 });
    expect(report.incidents).toEqual([
      expect.objectContaining({ file: 'audit.jsonl', line: 1, seq: 6, event: 'audit.file-replaced' }),
    ]);
  });

  it('sed -i: sets the edited copy aside and restores the original records', async () => {
    const { dir, log, path, original } = await liveLog();
    execFileSync('sed', ['-i', '2d', path]);
    await log.append(intent(), true);
    const names = await readdir(dir);
    const aside = names.find((n) => n.startsWith('audit.jsonl.replaced-')) as string;
    expect(aside).toBeDefined();
    expect((await readFile(join(dir, aside), 'utf8')).split('\n').filter(Boolean)).toHaveLength(4);
    expect(await readFile(join(dir, 'audit.0000000000000001.jsonl'), 'utf8')).toBe(original);
    expect(eventsOf(await readAll(dir), 'audit.file-replaced')[0]?.details).toMatchObject({
      found: 'other-inode',
      setAside: aside,
      restoredTo: 'audit.0000000000000001.jsonl',
      foundBytes: (await stat(join(dir, aside))).size,
    });
    await log.close();
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 7, problem: null });
  });

  it('rm: the deleted records come back from the open file', async () => {
    const { dir, log, path, original } = await liveLog();
    await rm(path);
    await log.append(intent(), true);
    await log.close();
    expect(await readFile(join(dir, 'audit.0000000000000001.jsonl'), 'utf8')).toBe(original);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 7 });
  });

  it('mv to a rotated name is a rotation by hand: nothing is copied twice', async () => {
    const { dir, log, path } = await liveLog();
    await rename(path, join(dir, 'audit.0000000000000001.jsonl'));
    await log.append(intent(), true);
    await log.close();
    expect(await chainFiles(dir)).toEqual(['audit.0000000000000001.jsonl', 'audit.jsonl']);
    expect(eventsOf(await readAll(dir), 'audit.file-replaced')[0]?.details).toMatchObject({
      found: 'missing',
      movedTo: 'audit.0000000000000001.jsonl',
      restoredTo: null,
    });
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 7 });
  });

  it('a symlink put in its place is set aside, never written through', async () => {
    const { dir, log, path } = await liveLog();
    const elsewhere = join(await tempDir(), 'target.txt');
    await writeFile(elsewhere, 'untouched\n');
    await rm(path);
    await symlink(elsewhere, path);
    await log.append(intent(), true);
    await log.close();
    expect(await readFile(elsewhere, 'utf8')).toBe('untouched\n');
    expect((await readdir(dir)).some((n) => n.startsWith('audit.jsonl.replaced-'))).toBe(true);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 7 });
  });

  it('is found by verify and by the readiness check without waiting for a write', async () => {
    const { dir, log, path } = await liveLog();
    await rename(path, join(dir, 'elsewhere.jsonl'));
    const report = await log.verify();
    expect(report).toMatchObject({ ok: true, records: 6, lastSeq: 6 });
    expect(report.incidents.map((i) => i.event)).toEqual(['audit.file-replaced']);

    await rename(path, join(dir, 'again.jsonl'));
    expect(await log.check()).toBeNull();
    expect(log.status().incidents).toHaveLength(2);
    await log.close();
  });
});

describe('audit.jsonl cut or appended to in place while the writer runs', () => {
  it('a cut tail: the lost seqs are named, the chain continues after them, and verify shows the gap', async () => {
    const { log, path, original } = await liveLog();
    const lines = original.split('\n');
    await truncate(path, lines.slice(0, 3).join('\n').length + 1);
    const report = await log.verify();
    expect(report.problem).toMatchObject({ file: 'audit.jsonl', line: 4, seq: 6, kind: 'missing' });
    expect(report.problem?.message).toBe(
      'seq gap: expected 4, found 6: seq 4–5 (2 records) are missing (deleted)',
    );
    expect(report.incidents[0]?.message).toBe(
      `audit.jsonl holds ${lines.slice(0, 3).join('\n').length + 1} bytes, but ${original.length} were written to it: it was cut or rewritten in place. The last record on disk is seq 3; seq 4–5 (2 records) are gone. The chain continues after seq 5.`,
    );
    expect((await log.append(intent(), true)).seq).toBe(7);
    await log.close();
  });

  it('a cut in the middle of a line: the half line is set aside too', async () => {
    const { dir, log, path, original } = await liveLog();
    await truncate(path, original.length - 20);
    await log.append(intent(), true);
    await log.close();
    const aside = (await readdir(dir)).find((n) => n.startsWith('audit.jsonl.partial-')) as string;
    expect(aside).toBeDefined();
    expect(eventsOf(await readAll(dir), 'audit.file-replaced')[0]?.details).toMatchObject({
      found: 'shorter',
      lastSeqOnDisk: 4,
      lostRecords: 1,
      setAside: aside,
    });
    expect((await verifyAudit(dir)).problem).toMatchObject({ kind: 'missing', seq: 6 });
  });

  it('bytes appended behind the writer are set aside, not taken into the chain', async () => {
    const { dir, log, path, original } = await liveLog();
    const forged = original.split('\n')[0] + '\n';
    await appendFile(path, forged);
    await log.append(intent(), true);
    await log.close();
    const aside = (await readdir(dir)).find((n) => n.startsWith('audit.jsonl.appended-')) as string;
    expect(await readFile(join(dir, aside), 'utf8')).toBe(forged);
    expect(eventsOf(await readAll(dir), 'audit.file-replaced')[0]?.details).toMatchObject({
      found: 'longer',
      setAside: aside,
    });
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 7 });
  });
});
