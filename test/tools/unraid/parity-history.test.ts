import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseParityLogLine } from '../../../server/backends/unraid/parity-log-line.js';
import { readParityHistory } from '../../../server/backends/unraid/parity-history.js';
import { TESTDATA } from '../../helpers/start-server.js';

const SAMPLE = join(TESTDATA, 'unraid', 'parity-checks.log');
const iso = (y: number, m: number, d: number, h: number, mi: number, s: number) =>
  new Date(y, m - 1, d, h, mi, s).toISOString();

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});
const tempLog = async (text: string | Buffer) => {
  dir = await mkdtemp(join(tmpdir(), 'umcp-parity-'));
  const path = join(dir, 'parity-checks.log');
  await writeFile(path, text);
  return path;
};

describe('parity-checks.log lines', () => {
  it('reads a current 7-field line: space-padded day, speed in bytes/s, size in KiB', () => {
    expect(parseParityLogLine('2026 Nov  3 03:12:45|72432|215744153|0|0|check P|15625879500')).toEqual({
      date: '2026-11-03 03:12:45',
      finishedAt: iso(2026, 11, 3, 3, 12, 45),
      durationSeconds: 72432,
      speedBytesPerSecond: 215744153,
      exitCode: 0,
      result: 'success',
      errors: 0,
      kind: 'parity_check',
      rawAction: 'check P',
      correcting: null,
      sizeBytes: 15625879500 * 1024,
      format: 'standard',
    });
  });

  it('reads an old 5-field line with its speed as text', () => {
    expect(parseParityLogLine('2019 Feb  3 08:52:47|57310|69.8 MB/s|0|3')).toMatchObject({
      date: '2019-02-03 08:52:47',
      speedBytesPerSecond: 69_800_000,
      errors: 3,
      kind: 'unknown',
      rawAction: null,
      sizeBytes: null,
      format: 'old',
    });
  });

  it('names the result: 0 OK, -4 cancelled, anything else an error code', () => {
    const status = (s: string) => parseParityLogLine(`2024 Apr 10 12:00:00|3600|0|${s}|0|check P|1`)?.result;
    expect([status('0'), status('-4'), status('-5'), status('3')]).toEqual([
      'success',
      'cancelled',
      'error',
      'error',
    ]);
  });

  it('tells the kinds apart: check P, check (read-check), recon P, recon D2, clear', () => {
    const kind = (a: string) => parseParityLogLine(`2024 Apr 10 12:00:00|3600|0|0|0|${a}|1`)?.kind;
    expect([
      kind('check P'),
      kind('check P Q'),
      kind('check'),
      kind('recon P'),
      kind('recon D2'),
      kind('clear'),
    ]).toEqual(['parity_check', 'parity_check', 'read_check', 'parity_sync', 'data_rebuild', 'disk_clear']);
  });

  it('reads 8-field lines: a trailing type text, or the tuning plugin elapsed|increments|type variant', () => {
    expect(
      parseParityLogLine(
        '2024 May  5 06:30:00|68000|229792345|0|0|check P|15625879500|Scheduled Non-Correcting Parity-Check',
      ),
    ).toMatchObject({ format: 'standard', correcting: false, sizeBytes: 15625879500 * 1024 });
    expect(
      parseParityLogLine(
        '2025 Jan  8 10:01:18|72431|215744156|0|0|72432|3|Scheduled Correcting Parity-Check',
      ),
    ).toMatchObject({ format: 'tuning-plugin', correcting: true, kind: 'parity_check', sizeBytes: null });
  });

  it.each([
    ['free text', 'this line is not a parity history entry'],
    ['6 fields', '2024 Apr 10 12:00:00|3600|0|0|0|check P'],
    ['a non-numeric duration', '2024 Feb  1 01:00:00|bogus|1|0|0|check P|1'],
    ['30 February', '2025 Feb 30 10:00:00|1|1|0|0|check P|1'],
    ['an ISO date', '2024-04-10 12:00:00|3600|0|0|0|check P|1'],
    ['a speed that is no rate', '2024 Apr 10 12:00:00|3600|fast|0|0|check P|1'],
    ['negative errors', '2024 Apr 10 12:00:00|3600|1|0|-1|check P|1'],
    ['a size that is no number', '2024 Apr 10 12:00:00|3600|1|0|0|check P|big'],
    ['an unknown action', '2024 Apr 10 12:00:00|3600|1|0|0|rm -rf|1'],
  ])('rejects %s', (_what, line) => {
    expect(parseParityLogLine(line)).toBeNull();
  });
});

describe('readParityHistory', () => {
  it('reads the committed sample newest first, skipping and counting the 3 lines in no format', async () => {
    const h = await readParityHistory(SAMPLE, 100);
    expect(h.skippedLines).toBe(3);
    expect(h.more).toBe(false);
    expect(h.entries.map((e) => e.date)).toEqual([
      '2026-11-30 03:12:45',
      '2025-01-08 10:01:18',
      '2024-05-05 06:30:00',
      '2024-04-10 12:00:00',
      '2024-03-03 04:44:21',
      '2023-11-30 03:12:45',
      '2022-07-14 03:00:01',
      '2019-03-03 02:11:09',
      '2019-02-03 08:52:47',
      '2019-01-06 09:14:02',
    ]);
    expect(h.entries[0]).toMatchObject({ result: 'cancelled', errors: 2, kind: 'parity_check' });
    expect(h.entries[3]).toMatchObject({
      result: 'error',
      exitCode: -5,
      errors: 12,
      kind: 'parity_sync',
      speedBytesPerSecond: null,
    });
    expect(h.entries[7]).toMatchObject({ result: 'cancelled', speedBytesPerSecond: null, format: 'old' });
  });

  it('stops at the limit and says older entries exist', async () => {
    const h = await readParityHistory(SAMPLE, 2);
    expect(h.entries.map((e) => e.date)).toEqual(['2026-11-30 03:12:45', '2025-01-08 10:01:18']);
    expect(h.more).toBe(true);
    expect(h.skippedLines).toBe(1);
  });

  it('reads lines across its 64 KiB read steps, CRLF endings and a missing final newline', async () => {
    const line = (i: number) =>
      `2024 Apr ${String((i % 28) + 1).padStart(2, ' ')} 12:00:00|${i}|1|0|0|check P|1`;
    const lines = Array.from({ length: 5000 }, (_, i) => line(i));
    const path = await tempLog(lines.join('\r\n'));
    const h = await readParityHistory(path, 5000);
    expect(h.entries).toHaveLength(5000);
    expect(h.skippedLines).toBe(0);
    expect(h.entries.map((e) => e.durationSeconds)).toEqual(lines.map((_, i) => i).reverse());
  });

  it('skips and counts binary garbage and an over-long line without keeping it whole', async () => {
    const path = await tempLog(
      Buffer.concat([
        Buffer.from('2019 Jan  6 09:14:02|58431|68.5 MB/s|0|0\n'),
        Buffer.from([0, 1, 2, 0xff, 0xfe, 10]),
        Buffer.from('x'.repeat(200_000) + '\n'),
        Buffer.from('2026 Nov 30 03:12:45|71000|220077015|0|0|check P|15625879500\n'),
      ]),
    );
    const h = await readParityHistory(path, 10);
    expect(h.entries.map((e) => e.date)).toEqual(['2026-11-30 03:12:45', '2019-01-06 09:14:02']);
    expect(h.skippedLines).toBe(2);
  });

  it('reports a missing log as no history, not an error', async () => {
    const h = await readParityHistory('/nonexistent/parity-checks.log', 10);
    expect(h).toEqual({ entries: [], skippedLines: 0, more: false, logExists: false });
  });
});
