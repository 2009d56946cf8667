import { afterAll, describe, expect, it } from 'vitest';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatVerifyReport, verifyAudit } from '../../../server/safety/audit/audit-verify.js';
import { auditVerifyCommand } from '../../../server/safety/audit/audit-cli.js';
import { chainHash } from '../../../server/safety/audit/hash-chain.js';
import { canonicalJson } from '../../../server/safety/audit/canonical-json.js';
import { appendMany, intent, openLog, readAll, removeTempDirs, tempDir } from './audit-helpers.js';

afterAll(removeTempDirs);

/**
 * audit.anchor.json, beside the log, names its first record and the last seq it reached, so a log
 * whose first lines were deleted no longer verifies as "chain starts at seq 9", and a cut tail is
 * reported without waiting for the next write.
 */
async function closedLog(n: number) {
  const dir = await tempDir();
  const log = await openLog(dir);
  await appendMany(log, n);
  await log.close();
  const path = join(dir, 'audit.jsonl');
  return { dir, path, lines: (await readFile(path, 'utf8')).split('\n').filter(Boolean) };
}

const write = (path: string, lines: string[]) => writeFile(path, lines.map((l) => l + '\n').join(''));
const anchorOf = async (dir: string) =>
  JSON.parse(await readFile(join(dir, 'audit.anchor.json'), 'utf8')) as {
    first: { seq: number };
    last: { seq: number };
    reason: string;
  };

describe('the anchor', () => {
  it('is written with the first record and updated with the last seq when the writer closes', async () => {
    const { dir } = await closedLog(10);
    expect(await anchorOf(dir)).toMatchObject({ first: { seq: 1 }, last: { seq: 10 }, reason: 'closed' });
    expect((await verifyAudit(dir)).anchorFile).toEqual({ firstSeq: 1, lastSeq: 10 });
  });
});

describe('a cut head of a log that never rotated', () => {
  it('is named by verify (the CLI command) instead of "OK, chain starts at seq 9"', async () => {
    const { dir, path, lines } = await closedLog(20);
    await write(path, lines.slice(8));
    const report = await verifyAudit(dir);
    expect(report.problem).toMatchObject({ file: 'audit.jsonl', line: 1, seq: 9, kind: 'cut-head' });
    expect(formatVerifyReport(report, dir)[0]).toBe(
      'BROKEN: audit.jsonl line 1 (seq 9): the log should start at seq 1 (audit.anchor.json), but its first record is seq 9: seq 1–8 (8 records) were deleted from the start of audit.jsonl',
    );
    const out: string[] = [];
    expect(await auditVerifyCommand([], dir, { out: (l) => out.push(l), err: (l) => out.push(l) })).toBe(1);
    expect(out[0]).toMatch(/^BROKEN: audit\.jsonl line 1 \(seq 9\): the log should start at seq 1/);
  });

  it('a first record replaced by a forged one (hash recomputed) is named too', async () => {
    const { dir, path, lines } = await closedLog(5);
    const rec = JSON.parse(lines[0] as string) as Record<string, unknown>;
    rec.principal = 'nobody';
    delete rec.hash;
    rec.hash = chainHash(rec.prev as string, canonicalJson(rec));
    await write(path, [JSON.stringify(rec), ...lines.slice(1)]);
    expect((await verifyAudit(dir)).problem).toMatchObject({
      line: 1,
      kind: 'cut-head',
      message:
        'the first record (seq 1) is not the one the log started with (its hash differs from audit.anchor.json): the start of the log was replaced',
    });
  });

  it('is recorded once by the writer when it next starts, and shown in its status after every start', async () => {
    const { dir, path, lines } = await closedLog(20);
    await write(path, lines.slice(8));
    let log = await openLog(dir);
    expect(log.status().incidents).toEqual([
      expect.objectContaining({
        kind: 'head-cut',
        message:
          'the log starts at seq 9, but audit.anchor.json says it starts at seq 1: 8 record(s) were deleted from its start while the sidecar was not running',
      }),
    ]);
    await log.close();
    log = await openLog(dir);
    expect(log.status().incidents.map((i) => i.kind)).toEqual(['head-cut']);
    await log.append(intent(), true);
    await log.close();
    const events = (await readAll(dir)).filter((r) => r.stage === 'event' && r.event === 'audit.head-cut');
    expect(events).toHaveLength(1);
    // The anchor still names the real start: verify keeps reporting the cut.
    expect((await verifyAudit(dir)).problem?.kind).toBe('cut-head');
  });
});

describe('a cut tail', () => {
  it('is named from the anchor after the writer closed (verify without the service)', async () => {
    const { dir, path, lines } = await closedLog(10);
    await write(path, lines.slice(0, 7));
    const report = await verifyAudit(dir);
    expect(report.problem).toEqual({
      file: 'audit.jsonl',
      line: 8,
      seq: 8,
      kind: 'cut-tail',
      message:
        'the log ends at seq 7, but audit.anchor.json (written at the last rotation or shutdown) says it reached seq 10: seq 8–10 (3 records) were deleted from its end',
    });
  });

  it('is named at once against the seq the running writer has written up to', async () => {
    const { dir, path, lines } = await closedLog(10);
    await write(path, lines.slice(0, 9));
    expect((await verifyAudit(dir, { writtenUpTo: 12 })).problem?.message).toBe(
      'the log ends at seq 9, but the running sidecar has written up to seq 12: seq 10–12 (3 records) were deleted from its end',
    );
  });

  it('is recorded when the writer starts, and the chain continues after the lost seqs so the gap stays visible', async () => {
    const { dir, path, lines } = await closedLog(10);
    await write(path, lines.slice(0, 7));
    const log = await openLog(dir);
    expect((await log.append(intent(), true)).seq).toBe(12);
    await log.close();
    const report = await verifyAudit(dir);
    expect(report.problem).toMatchObject({ line: 8, seq: 11, kind: 'missing' });
    expect(report.incidents).toEqual([
      expect.objectContaining({
        seq: 11,
        event: 'audit.tail-cut',
        message:
          'the log ends at seq 7, but audit.anchor.json says it reached seq 10: 3 record(s) were deleted from its end while the sidecar was not running; the chain continues after seq 10, so verify shows the gap',
      }),
    ]);
  });

  it('every file deleted but the anchor: the writer continues after its last seq and verify names the cut', async () => {
    const { dir } = await closedLog(10);
    for (const f of await readdir(dir)) if (f.endsWith('.jsonl')) await rm(join(dir, f));
    const log = await openLog(dir);
    expect((await log.append(intent(), true)).seq).toBe(12);
    await log.close();
    expect((await verifyAudit(dir)).problem).toMatchObject({
      kind: 'cut-head',
      message:
        'the log should start at seq 1 (audit.anchor.json), but its first record is seq 11: seq 1–10 (10 records) were deleted from the start of audit.jsonl',
    });
  });
});

describe('a damaged or missing anchor', () => {
  it('is reported by verify, and recreated (with an event) by the writer', async () => {
    const { dir } = await closedLog(3);
    await writeFile(join(dir, 'audit.anchor.json'), '{"version":1');
    expect((await verifyAudit(dir)).problem).toMatchObject({
      file: 'audit.anchor.json',
      kind: 'anchor-unreadable',
      message:
        'audit.anchor.json cannot be read (it is not a valid anchor (damaged or edited)): whether records were cut from the start or end of the log cannot be checked (the sidecar recreates it when it next starts)',
    });
    const log = await openLog(dir);
    await log.close();
    const report = await verifyAudit(dir);
    expect(report).toMatchObject({ ok: true, records: 4, anchorFile: { firstSeq: 1, lastSeq: 4 } });
    expect(report.incidents.map((i) => i.event)).toEqual(['audit.anchor-unreadable']);
  });

  it('a log from before the anchor gets one from its files, noted in the chain', async () => {
    const { dir } = await closedLog(3);
    await rm(join(dir, 'audit.anchor.json'));
    expect(formatVerifyReport(await verifyAudit(dir), dir)).toEqual([
      'OK: 3 records in 1 file, chain intact (from seq 1 to 3)',
    ]);
    const log = await openLog(dir);
    await log.close();
    expect((await readAll(dir)).at(-1)).toMatchObject({
      event: 'audit.anchor-created',
      details: { firstSeq: 1, lastSeq: 3 },
    });
    expect(await anchorOf(dir)).toMatchObject({ first: { seq: 1 }, last: { seq: 4 } });
  });
});
