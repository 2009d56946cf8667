import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogFile } from '../../server/log-file.js';
import { admin, connect, createToken, makeServiceHost, startSidecar } from './service-host.js';

/**
 * The sidecar's own log file on a real, small tmpfs (as Unraid's /var/log is): size rotation keeps it
 * bounded, and a full or missing disk drops lines — counted, reported once writing works again —
 * without stopping or slowing the service.
 */
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'umcp-log-'));
  // 64 KiB: small enough to fill in a test, like a /var/log that other programs have filled.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
});

afterEach(async () => {
  execFileSync('umount', [dir]);
  await rm(dir, { recursive: true, force: true });
});

const lines = async (path: string) =>
  (await readFile(path, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { msg: string; n?: number; dropped?: number; error?: string });
const line = (n: number) => JSON.stringify({ level: 'info', msg: 'line', n, pad: 'x'.repeat(80) }) + '\n';

/** Fills the file system holding `path` with one file until writes fail with ENOSPC. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  try {
    const block = Buffer.alloc(4096, 1);
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends whole lines until the file ends exactly at a page boundary (again if the service wrote a
 * line of its own meanwhile).
 */
async function padToPage(path: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const size = (await stat(path)).size;
    if (size > 0 && size % 4096 === 0) return;
    let room = 4096 - (size % 4096);
    if (room < 40) room += 4096;
    const head = '{"level":"debug","msg":"padding","pad":"';
    await appendFile(path, head + 'x'.repeat(room - head.length - 3) + '"}\n');
  }
  throw new Error('padding missed the page boundary five times');
}

/**
 * Fills the disk so that the log file's next line has no room at all. tmpfs hands out whole pages, so
 * the file must end exactly at a page boundary when the disk fills up; a line the service writes
 * between the padding and the filling (a late start-up line) leaves room in its page, so that case
 * starts over.
 */
async function fillLeavingNoRoom(logPath: string, fillerPath: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    await padToPage(logPath);
    fill(fillerPath);
    if ((await stat(logPath)).size % 4096 === 0) return;
    await rm(fillerPath);
  }
  throw new Error('the service kept writing between padding and filling five times');
}

describe('log file', () => {
  it('rotates by size, keeping one older file, whole lines only', async () => {
    const path = join(dir, 'unraid-mcp.log');
    const sink = openLogFile(path, 8192);
    for (let n = 1; n <= 600; n++) sink.write(line(n));
    sink.close();
    expect((await stat(path)).size).toBeLessThanOrEqual(8192);
    expect((await stat(`${path}.1`)).size).toBeLessThanOrEqual(8192);
    expect((await stat(`${path}.1`)).size).toBeGreaterThan(8192 - 200);
    // The newest lines, in order, with nothing missing between the two files.
    const kept = [...(await lines(`${path}.1`)), ...(await lines(path))].map((l) => l.n);
    expect(kept.at(-1)).toBe(600);
    expect(kept).toEqual(kept.map((_, i) => 600 - kept.length + 1 + i));
    // At least the older file's worth: rotation kept it rather than starting over.
    expect(kept.length).toBeGreaterThan(Math.floor(8192 / line(600).length));
    expect(sink.dropped).toBe(0);
  });

  it('drops and counts lines while the disk is full, then says so once', async () => {
    const path = join(dir, 'unraid-mcp.log');
    const sink = openLogFile(path, 1024 * 1024);
    sink.write(line(1));
    fill(join(dir, 'filler'));
    for (let n = 2; n <= 51; n++) sink.write(line(n));
    expect(sink.dropped).toBeGreaterThan(0);
    const droppedWhileFull = sink.dropped;
    await rm(join(dir, 'filler'));
    sink.write(line(52));
    sink.write(line(53));
    sink.close();
    const got = await lines(path);
    const notes = got.filter((l) => l.msg.startsWith('log lines were dropped'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ dropped: droppedWhileFull, error: 'ENOSPC' });
    // Every line is whole; what was written before and after the outage is all there, in order.
    const ns = got.flatMap((l) => (l.n === undefined ? [] : [l.n]));
    expect(ns.slice(-2)).toEqual([52, 53]);
    expect(ns[0]).toBe(1);
    expect(ns.length + droppedWhileFull).toBe(53);
  });

  it("never cuts into what others appended to the same file (the rc script's redirect of the process's output)", async () => {
    const path = join(dir, 'unraid-mcp.log');
    const sink = openLogFile(path, 1024 * 1024);
    sink.write(line(1));
    await appendFile(path, '{"msg":"ready line printed by the process"}\n');
    await padToPage(path);
    fill(join(dir, 'filler'));
    sink.write(line(2));
    expect(sink.dropped).toBe(1);
    await rm(join(dir, 'filler'));
    sink.write(line(3));
    sink.close();
    expect((await lines(path)).map((l) => l.n ?? l.msg)).toEqual([
      1,
      'ready line printed by the process',
      'padding',
      'log lines were dropped: the log file could not be written',
      3,
    ]);
  });

  it('keeps going while its folder is missing, and writes again once it is back', async () => {
    const path = join(dir, 'gone/unraid-mcp.log');
    const sink = openLogFile(path, 8192);
    sink.write(line(1));
    sink.write(line(2));
    expect(sink.dropped).toBe(2);
    await mkdir(join(dir, 'gone'));
    sink.write(line(3));
    expect(sink.dropped).toBe(0);
    sink.close();
    expect(await lines(path)).toMatchObject([{ dropped: 2, error: 'ENOENT' }, { n: 3 }]);
  });

  it('opens a new file when the one being written is moved away', async () => {
    let now = 0;
    const path = join(dir, 'unraid-mcp.log');
    const sink = openLogFile(path, 8192, () => now);
    sink.write(line(1));
    execFileSync('mv', [path, `${path}.moved`]);
    now += 2000;
    sink.write(line(2));
    sink.close();
    expect((await lines(path)).map((l) => l.n)).toEqual([2]);
    expect((await lines(`${path}.moved`)).map((l) => l.n)).toEqual([1]);
  });

  it('the sidecar logs to UNRAID_MCP_LOG_FILE, keeps serving with the disk full, and reports the gap', async () => {
    const host = await makeServiceHost({ arrayStarted: false });
    const secret = await createToken(host, 'agent');
    const path = join(dir, 'unraid-mcp.log');
    const srv = await startSidecar(host, {
      UNRAID_MCP_LOG_FILE: path,
      UNRAID_MCP_LOG_FILE_MAX_BYTES: '16384',
      UNRAID_MCP_LOG_LEVEL: 'debug',
    });
    try {
      // The ready line (stdout) can arrive before the log line after it is written.
      for (let i = 0; i < 40 && !(await lines(path)).some((l) => l.msg === 'listening'); i++)
        await new Promise((r) => setTimeout(r, 25));
      expect((await lines(path)).map((l) => l.msg)).toContain('listening');
      // Nothing of the log on stderr any more.
      expect(srv.output()).not.toMatch(/"level":/);
      await fillLeavingNoRoom(path, join(dir, 'filler'));
      const client = await connect(srv.url, secret);
      for (let i = 0; i < 5; i++) {
        const r = await client.callTool({ name: 'system_overview', arguments: {} });
        expect(r.isError).toBeFalsy();
      }
      // Closing its session logs a line (while the disk is still full).
      const { sessions } = await admin<{ sessions: Array<{ id: string }> }>(host, 'GET', '/api/sessions');
      expect(sessions).toHaveLength(1);
      // (The client is not closed: its session is gone, and the stop below ends its connection.)
      await admin(host, 'DELETE', `/api/sessions/${(sessions[0] as { id: string }).id}`);
      // The close is logged before the DELETE answers, and found no room.
      expect((await lines(path)).map((l) => l.msg)).not.toContain('session closed');
      await rm(join(dir, 'filler'));
    } finally {
      const code = await srv.stop();
      expect(code, `${srv.output()}\n${await readFile(path, 'utf8').catch(() => '')}`).toBe(0);
    }
    const got = await lines(path);
    // The service said what it could not write (the closed session's line), then its stop.
    const note = got.find((l) => l.msg.startsWith('log lines were dropped'));
    expect(note?.dropped).toBeGreaterThan(0);
    expect(got.at(-1)?.msg).toBe('stopped');
  }, 30_000);
});
