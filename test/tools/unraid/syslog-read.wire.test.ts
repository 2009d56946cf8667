import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, copyFile, mkdtemp, readFile, rename, rm, utimes } from 'node:fs/promises';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, TESTDATA, type TestServer } from '../../helpers/start-server.js';
import { readAudit } from '../../helpers/audit-file.js';
import { connectV2 } from '../../helpers/v2-client.js';

/** The unraid toolset is off in a fresh install; these tests switch it on as the owner would. */
const UNRAID_ON = 'TOOLSETS="system,docker,vm,unraid"\n';
type Data = Record<string, any>;

/**
 * syslog_read through a real MCP client over HTTP, on copies of the committed Unraid syslog sample
 * (testdata/unraid/syslog: New Year's night on a server with a failing disk; syslog.1 the day before)
 * and on a 500 MB syslog written at test time. The file's last write is set to 1 Jan 2027 08:30 (server
 * time), so the year of each line is inferred across the New Year.
 */
let dir: string;
let syslog: string;
let srv: TestServer;
let client: Client;
let calls = 0;

const SAMPLE = join(TESTDATA, 'unraid', 'syslog');
const run = promisify(execFile);
const local = (y: number, mo: number, d: number, h: number, mi: number, s: number) =>
  new Date(y, mo - 1, d, h, mi, s).toISOString();

async function read(args: Record<string, unknown> = {}): Promise<CallToolResult> {
  calls++;
  return (await client.callTool({ name: 'syslog_read', arguments: args })) as CallToolResult;
}
const text = (res: CallToolResult) => (res.content[0] as { text: string }).text;
const data = (res: CallToolResult) => res.structuredContent as Data;
const sampleLines = async () => (await readFile(SAMPLE, 'utf8')).trimEnd().split('\n');

/** Puts the committed sample (and its rotated predecessor) in place, stamped as written on New Year's morning. */
async function restoreSample() {
  await copyFile(SAMPLE, syslog);
  await copyFile(`${SAMPLE}.1`, `${syslog}.1`);
  await utimes(syslog, new Date(2027, 0, 1, 8, 30), new Date(2027, 0, 1, 8, 30));
  await utimes(`${syslog}.1`, new Date(2026, 11, 31, 23, 46), new Date(2026, 11, 31, 23, 46));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'umcp-syslog-'));
  syslog = join(dir, 'syslog');
  await restoreSample();
  srv = await startTestServer({
    settingsCfg: UNRAID_ON,
    tokens: [{ name: 'reader', scope: 'read' }],
    env: { UNRAID_MCP_SYSLOG: syslog },
  });
  client = await srv.connect('reader');
});
afterAll(async () => {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

describe('syslog_read on the Unraid sample', () => {
  it('returns the lines oldest first, each with its time (year inferred across New Year) and severity', async () => {
    const res = await read();
    expect(res.isError).toBeFalsy();
    expect(JSON.parse(text(res))).toEqual(data(res));
    const d = data(res);
    const lines = await sampleLines();
    expect(d).toMatchObject({
      scanned: lines.length,
      matched: lines.length,
      returned: lines.length,
      binaryLines: 0,
    });
    expect(d.hint).toBeUndefined();
    expect(d.lines.map((l: Data) => l.text)).toEqual(lines);
    expect(d.lines.map((l: Data) => l.n)).toEqual(lines.map((_, i) => i + 1));
    expect(d.lines[0]).toEqual({
      n: 1,
      time: local(2026, 12, 31, 23, 50, 1),
      severity: 'info',
      text: lines[0],
      match: true,
    });
    expect(d.lines[5].time).toBe(local(2027, 1, 1, 0, 0, 1));
    expect(d.lines.at(-1).time).toBe(local(2027, 1, 1, 8, 29, 59));
  });

  it('severity "error" finds what a line says went wrong; "warning" adds the warnings; "0 errors" is neither', async () => {
    const errors = data(await read({ severity: 'error' }));
    expect(errors.lines.map((l: Data) => l.text.slice(16))).toEqual([
      'Tower kernel: ata5.00: failed command: READ FPDMA QUEUED',
      'Tower kernel: I/O error, dev sdd, sector 7003693328 op 0x0:(READ) flags 0x0 phys_seg 128 prio class 2',
      'Tower kernel: md: disk3 read error, sector=7003693264',
      'Tower kernel: Call Trace:',
      expect.stringMatching(/^Tower nginx: .* \[error\] 8124#8124: \*4180 limiting requests/),
    ]);
    expect(errors).toMatchObject({ scanned: 35, matched: 5, returned: 5 });
    const warnings = data(await read({ severity: 'warning' }));
    expect(warnings.lines.map((l: Data) => [l.severity, l.text.slice(16, 60)])).toEqual([
      ['warning', 'Tower kernel: ata5.00: exception Emask 0x0 S'],
      ['error', 'Tower kernel: ata5.00: failed command: READ '],
      ['warning', 'Tower kernel: ata5: hard resetting link'],
      ['error', 'Tower kernel: I/O error, dev sdd, sector 700'],
      ['error', 'Tower kernel: md: disk3 read error, sector=7'],
      ['warning', 'Tower kernel: WARNING: CPU: 3 PID: 1423 at n'],
      ['error', 'Tower kernel: Call Trace:'],
      ['error', 'Tower nginx: 2027/01/01 06:15:22 [error] 812'],
      ['warning', 'Tower kernel: CIFS: VFS: \\\\NAS2 has not resp'],
    ]);
    const all = data(await read());
    const parity = all.lines.find((l: Data) => l.text.endsWith('Parity check finished (0 errors)'));
    expect(parity.severity).toBe('info');
  });

  it('grep with context: the lines around each match, matches flagged, overlapping windows merged', async () => {
    const d = data(await read({ grep: 'ATA5', context: 1 }));
    expect(d.lines.map((l: Data) => [l.n, l.match ?? false])).toEqual([
      [4, false],
      [5, true],
      [6, false],
      [7, true],
      [8, true],
      [9, true],
      [10, true],
      [11, true],
      [12, true],
      [13, false],
    ]);
    expect(d).toMatchObject({ scanned: 35, matched: 7, returned: 7 });
    const exact = data(await read({ grep: 'ATA5', ignoreCase: false }));
    expect(exact.lines).toEqual([]);
  });

  it('regex through the safe matcher; a pattern it cannot run is refused with the reason', async () => {
    const d = data(await read({ regex: 'I/O error, dev sd[a-z]+, sector \\d+' }));
    expect(d.lines.map((l: Data) => l.n)).toEqual([14]);
    for (const [regex, why] of [
      ['(a)\\1', /regex rejected — backreferences \(\\1\) are not supported/],
      ['(?=x)', /lookahead and lookbehind are not supported/],
      ['(unclosed', /unterminated group/],
    ] as const) {
      const res = await read({ regex });
      expect(res.isError).toBe(true);
      expect(text(res)).toMatch(why);
    }
  });

  it('tail reads only the newest lines, and says older ones exist', async () => {
    const d = data(await read({ tail: 5 }));
    expect(d.lines.map((l: Data) => l.n)).toEqual([1, 2, 3, 4, 5]);
    expect(d.lines.at(-1).text).toMatch(/dhcpcd\[1502\]: br0: leased/);
    expect(d.scanned).toBe(5);
    expect(d.hint).toMatch(/only the last 5 lines were read; older lines exist/);
  });

  it('since searches back to a time (server local time without a zone)', async () => {
    const d = data(await read({ since: '2027-01-01T04:40:00' }));
    expect(d.lines).toHaveLength(9);
    expect(d.lines[0].text).toMatch(/^Jan {2}1 04:40:13 Tower kernel: md: sync done/);
    const none = data(await read({ since: '2027-01-02T00:00:00' }));
    expect(none).toMatchObject({ lines: [], scanned: 0, matched: 0 });
    const newest = data(await read({ since: '2027-01-01T00:00:00', severity: 'error', tail: 2 }));
    expect(newest.lines.map((l: Data) => l.text.slice(16, 40))).toEqual([
      'Tower kernel: Call Trace',
      'Tower nginx: 2027/01/01 ',
    ]);
    expect(newest.hint).toMatch(/the newest 2 matching lines since 2027-01-01T00:00:00 were kept/);
  });

  it('rotated: reads on into syslog.1 when the current log does not reach back far enough', async () => {
    const without = data(await read({ since: '2026-12-30T00:00:00', severity: 'error' }));
    expect(without.lines).toHaveLength(5);
    expect(without.hint).toMatch(
      /the current log starts after since; rotated: true also reads the previous log/,
    );
    const withRotated = data(await read({ since: '2026-12-30T00:00:00', severity: 'error', rotated: true }));
    expect(withRotated.lines[0]).toEqual({
      n: 3,
      time: local(2026, 12, 31, 2, 0, 0),
      severity: 'error',
      text: 'Dec 31 02:00:00 Tower kernel: BTRFS error (device loop2): bdev /dev/loop2 errs: wr 0, rd 0, flush 0, corrupt 1, gen 0',
      rotated: true,
      match: true,
    });
    expect(withRotated).toMatchObject({ scanned: 40, matched: 6, returned: 6 });
    const all = data(await read({ tail: 100, rotated: true }));
    expect(all.lines.filter((l: Data) => l.rotated)).toHaveLength(5);
    expect(all.lines[0].time).toBe(local(2026, 12, 30, 22, 0, 1));
  });

  it('rotated asked for but there is no syslog.1: the current log, and a hint that says so', async () => {
    await rename(`${syslog}.1`, `${syslog}.1.away`);
    try {
      const d = data(await read({ tail: 100, rotated: true }));
      expect(d.scanned).toBe(35);
      expect(d.hint).toMatch(/there is no previous log \(syslog\.1\) to read/);
    } finally {
      await rename(`${syslog}.1.away`, `${syslog}.1`);
    }
  });

  it('bad arguments are refused with the reason', async () => {
    for (const [args, why] of [
      [{ context: 2 }, /context needs grep, regex or severity/],
      [{ tail: 0 }, /tail/],
      [{ tail: 5001 }, /tail/],
      [{ since: 'last tuesday' }, /since.*must be an ISO 8601 time/s],
      [{ severity: 'info' }, /severity/],
      [{ path: '/etc/shadow' }, /path/],
    ] as const) {
      const res = await read(args);
      expect(res.isError, JSON.stringify(args)).toBe(true);
      expect(text(res)).toMatch(why);
    }
  });
});

describe('syslog_read on damaged and missing logs (the file is read live on every call)', () => {
  it('binary garbage is skipped and counted; control characters and invalid UTF-8 are shown safely; long lines are cut', async () => {
    await appendFile(
      syslog,
      Buffer.concat([
        Buffer.alloc(3000, 0),
        Buffer.from('\nJan  1 08:31:00 Tower kernel: \x1b[31mred\x1b[0m and \xff\xfe bytes\n', 'latin1'),
        Buffer.from(`Jan  1 08:32:00 Tower root: ${'x'.repeat(10_000)}\n`),
      ]),
    );
    try {
      const d = data(await read({ tail: 3 }));
      expect(d.binaryLines).toBe(1);
      expect(d.scanned).toBe(3);
      expect(d.lines.map((l: Data) => l.n)).toEqual([2, 3]);
      expect(d.lines[0].text).toBe(
        'Jan  1 08:31:00 Tower kernel: \\x1b[31mred\\x1b[0m and \ufffd\ufffd bytes',
      );
      const long = d.lines[1].text as string;
      expect(long.startsWith('Jan  1 08:32:00 Tower root: xxx')).toBe(true);
      expect(long).toMatch(/… \[line cut: 5932 more bytes\]$/);
      expect(Buffer.byteLength(long.replace(/… \[line cut: \d+ more bytes\]$/, ''))).toBe(4096);
      expect(d.hint).toMatch(
        /1 line\(s\) of binary garbage were skipped; 1 line\(s\) longer than 4096 bytes were cut/,
      );
    } finally {
      await restoreSample();
    }
  });

  it('a missing syslog: a plain answer naming no path, and the server keeps serving', async () => {
    await rename(syslog, `${syslog}.away`);
    try {
      const res = await read();
      expect(res.isError).toBe(true);
      expect(text(res)).toBe(
        'There is no system log (syslog) on this host: the file does not exist. On Unraid it is written by rsyslogd from boot on.',
      );
      expect(text(res)).not.toContain(dir);
    } finally {
      await rename(`${syslog}.away`, syslog);
    }
    expect((await read({ tail: 1 })).isError).toBeFalsy();
  });
});

describe('a search over chunks with nothing to find', () => {
  it('passes over them and still dates the lines after them right, across New Year', async () => {
    const log = join(dir, 'syslog.newyear');
    const end = new Date(2027, 0, 1, 10, 0, 0);
    await run(process.execPath, [join(TESTDATA, 'unraid', 'make-syslog.mjs'), log, '20', end.toISOString()]);
    await utimes(log, end, end);
    await rename(syslog, `${syslog}.sample`);
    await rename(log, syslog);
    try {
      const d = data(await read({ since: '2026-12-30T12:00:00', grep: 'I/O error', tail: 5000 }));
      const expected = execFileSync('bash', ['-c', `grep -F 'I/O error' '${syslog}'`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      // The generated lines run one a second back from 10:00 on 1 January; count those after the window's start.
      const first = d.lines[0].text as string;
      expect(expected).toContain(first);
      expect(d.lines.map((l: Data) => l.text)).toEqual(expected.slice(expected.indexOf(first)));
      const months = new Set(d.lines.map((l: Data) => (l.text as string).slice(0, 3)));
      expect(months).toEqual(new Set(['Dec', 'Jan']));
      for (const l of d.lines) {
        const [mon, day, hms] = (l.text as string).split(/ +/);
        const [h, mi, s] = (hms as string).split(':').map(Number);
        const year = mon === 'Dec' ? 2026 : 2027;
        expect(l.time, l.text).toBe(local(year, mon === 'Dec' ? 12 : 1, Number(day), h!, mi!, s!));
      }
      expect(d.lines[0].time >= new Date(2026, 11, 30, 12, 0, 0).toISOString()).toBe(true);
      // The match just before the first one returned lies before the window: none was passed over.
      const before = expected[expected.indexOf(first) - 1] as string;
      const [, bDay, bHms] = before.split(/ +/);
      const [bh, bmi, bs] = (bHms as string).split(':').map(Number);
      expect(before.startsWith('Dec')).toBe(true);
      expect(new Date(2026, 11, Number(bDay), bh, bmi, bs) < new Date(2026, 11, 30, 12, 0, 0)).toBe(true);
    } finally {
      await rm(syslog, { force: true });
      await rename(`${syslog}.sample`, syslog);
    }
  }, 60_000);
});

describe('a 500 MB syslog', () => {
  it('tail 1,000 + grep returns what `tail -n 1000 | grep -i` does, reading from the end only', async () => {
    const big = join(dir, 'syslog.big');
    // In a child process, so this process's event loop (the server's) keeps running while 500 MB are written.
    const made = await run(process.execPath, [
      join(TESTDATA, 'unraid', 'make-syslog.mjs'),
      big,
      '500',
      new Date(2026, 11, 7, 8, 0, 0).toISOString(),
    ]);
    const { bytes } = JSON.parse(made.stdout) as { bytes: number };
    expect(bytes).toBeGreaterThan(500 * 1024 * 1024);
    await rename(syslog, `${syslog}.sample`);
    await rename(big, syslog);
    try {
      const shell = (cmd: string) =>
        execFileSync('bash', ['-c', cmd], { encoding: 'utf8' }).split('\n').filter(Boolean);
      for (const grep of ['hard resetting', 'I/O ERROR', 'mover']) {
        const expected = shell(`tail -n 1000 '${syslog}' | grep -iF '${grep}' || true`);
        const d = data(await read({ tail: 1000, grep }));
        expect(
          d.lines.map((l: Data) => l.text),
          grep,
        ).toEqual(expected);
        expect(d.scanned).toBe(1000);
        expect(d.matched).toBe(expected.length);
      }
      const hard = data(await read({ tail: 1000, grep: 'hard resetting' }));
      expect(hard.lines.length).toBeGreaterThan(0);
      // since + severity over the last two hours of a 500 MB file: it stops where the window starts.
      const errors = data(await read({ since: '2026-12-07T06:00:00', severity: 'error', tail: 100 }));
      const expectedErrors = shell(`tail -n 7201 '${syslog}' | grep -F 'I/O error' || true`);
      expect(expectedErrors.length).toBeGreaterThan(0);
      expect(errors.lines.map((l: Data) => l.text)).toEqual(expectedErrors);
      expect(errors.scanned).toBe(7201);
    } finally {
      await rm(syslog, { force: true });
      await rename(`${syslog}.sample`, syslog);
    }
  }, 180_000);
});

describe('through the 2026-07-28 revision (SDK v2 client, stateless)', () => {
  it('answers as over a 2025 session', async () => {
    const v2 = await connectV2(srv, { mode: { pin: '2026-07-28' }, token: 'reader' });
    try {
      const res = await v2.callTool({ name: 'syslog_read', arguments: { severity: 'error', tail: 100 } });
      calls++;
      const legacy = data(await read({ severity: 'error', tail: 100 }));
      expect(res.structuredContent).toEqual(legacy);
      expect((res.structuredContent as Data).lines).toHaveLength(5);
    } finally {
      await v2.close();
    }
  });
});

describe('audit', () => {
  it('writes an intent and an outcome record for every call', async () => {
    const records = await readAudit(srv.env.auditDir);
    const intents = records.filter((r) => r.stage === 'intent' && r.tool === 'syslog_read');
    const outcomes = records.filter((r) => r.stage === 'outcome' && r.tool === 'syslog_read');
    expect(outcomes).toHaveLength(calls);
    for (const o of outcomes) expect(intents.map((i) => i.id)).toContain(o.intent);
    // Refused arguments and the missing log are recorded as errors, with the plain message.
    expect(outcomes.filter((o) => o.result?.status === 'error').length).toBeGreaterThanOrEqual(10);
    expect(
      outcomes.some((o) => o.result?.message?.startsWith('There is no system log (syslog) on this host')),
    ).toBe(true);
  });
});
