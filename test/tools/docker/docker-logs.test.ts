import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { toolsOf } from '../../helpers/test-tools.js';

/**
 * docker_logs over real HTTP against the suite's dockerd: a container that wrote 200,000 lines to both
 * streams (plus three lines with levels), and a TTY container.
 */
const P = `dlg-${randomBytes(3).toString('hex')}-`;
const td = testDocker();
const created: string[] = [];
let srv: TestServer;
let client: Client;
let big: Docker.ContainerInspectInfo;

interface Line {
  n: number;
  stream: 'stdout' | 'stderr';
  time?: string;
  text: string;
  match?: true;
}
interface Logs {
  container: string;
  id: string;
  tty: boolean;
  lines: Line[];
  scanned: number;
  matched: number;
  returned: number;
  hint?: string;
}

async function logs(
  args: Record<string, unknown>,
): Promise<{ data: Logs; res: CallToolResult; text: string }> {
  const res = (await client.callTool({ name: 'docker_logs', arguments: args })) as CallToolResult;
  const text = (res.content[0] as { text: string }).text;
  return { data: res.structuredContent as Logs, res, text };
}

async function runUntilDone(
  name: string,
  opts: Partial<Docker.ContainerCreateOptions>,
): Promise<Docker.ContainerInspectInfo> {
  const c = await td.docker.createContainer({
    name,
    Image: inject('testImage'),
    HostConfig: { NetworkMode: 'none' },
    ...opts,
  });
  created.push(c.id);
  await c.start();
  await c.wait();
  return c.inspect();
}

beforeAll(async () => {
  big = await runUntilDone(`${P}big`, {
    Cmd: [
      'sh',
      '-c',
      'seq 1 100000; seq 1 100000 >&2; echo "level=error msg=\\"disk full\\""; echo "[WARN] almost full" >&2; echo "INFO: started"',
    ],
  });
  expect(big.State).toMatchObject({ Status: 'exited', ExitCode: 0 });
  await runUntilDone(`${P}tty`, {
    Tty: true,
    Cmd: ['sh', '-c', 'echo hello; echo oops >&2; printf "level=error no newline"'],
  });
  srv = await startTestServer({
    tools: toolsOf('docker'),
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
  });
  client = await srv.connect();
  // Docker finishes copying output a moment after the exit: wait until every line is in the log.
  for (
    let i = 0;
    i < 50 && (await logs({ id: `${P}big`, since: '1h', grep: 'started' })).data.scanned < 200_003;
    i++
  )
    await new Promise((r) => setTimeout(r, 100));
}, 60_000);

afterAll(async () => {
  await srv?.close();
  await Promise.all(
    created.map((id) =>
      td.docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  await td.cleanup();
});

// Each full scan makes dockerd decode 200,000 json-file entries (~2 s alone, more under the parallel suite).
describe('docker_logs on 200,000 lines', { timeout: 60_000 }, () => {
  it('greps only the last `tail` lines without a time window, and says older lines were not read', async () => {
    const { data } = await logs({ id: `${P}big`, grep: '99999', tail: 1000 });
    expect(data.scanned).toBe(1000);
    expect(data.hint).toMatch(/only the last 1000 lines were read; older lines may exist/);
  });

  it("returns the last 200 lines by default, read with Docker's own tail", async () => {
    const { data, text } = await logs({ id: `${P}big` });
    expect(JSON.parse(text)).toEqual(data);
    expect(data).toMatchObject({
      container: `${P}big`,
      id: big.Id.slice(0, 12),
      tty: false,
      scanned: 200,
      matched: 200,
      returned: 200,
    });
    expect(data.lines).toHaveLength(200);
    // stdout and stderr are copied by two goroutines: their relative order in the log is not fixed.
    expect(data.lines.map((l) => l.n)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(data.lines.every((l) => l.match === undefined && l.time === undefined)).toBe(true);
    expect(data.hint).toMatch(/only the last 200 lines were read; older lines may exist/);
  });

  it('selects a stream within a time window and tails it (the window is read whole, since Docker tails before selecting)', async () => {
    const out = await logs({ id: `${P}big`, since: '1h', stderr: false, tail: 3 });
    expect(out.data.lines).toEqual([
      { n: 100000, stream: 'stdout', text: '100000' },
      { n: 100001, stream: 'stdout', text: 'level=error msg="disk full"' },
      { n: 100002, stream: 'stdout', text: 'INFO: started' },
    ]);
    expect(out.data).toMatchObject({ scanned: 100_002, matched: 100_002, returned: 3 });
    const err = await logs({ id: `${P}big`, since: '1h', stdout: false, tail: 2 });
    expect(err.data.lines.map((l) => `${l.stream}:${l.text}`)).toEqual([
      'stderr:100000',
      'stderr:[WARN] almost full',
    ]);
    expect(err.data.scanned).toBe(100_001);
  });

  it('greps a whole time window with context lines around each match', async () => {
    const { data } = await logs({ id: `${P}big`, since: '1h', stderr: false, grep: '99999', context: 1 });
    expect(data.lines).toEqual([
      { n: 99998, stream: 'stdout', text: '99998' },
      { n: 99999, stream: 'stdout', text: '99999', match: true },
      { n: 100000, stream: 'stdout', text: '100000' },
    ]);
    expect(data).toMatchObject({ scanned: 100_002, matched: 1, returned: 1 });
    expect(data.hint).toBeUndefined();

    const both = await logs({ id: `${P}big`, since: '1h', grep: '99999' });
    expect(both.data).toMatchObject({ scanned: 200_003, matched: 2, returned: 2 });
    expect(both.data.lines.map((l) => `${l.stream}:${l.text}`).sort()).toEqual([
      'stderr:99999',
      'stdout:99999',
    ]);
  });

  it('keeps the last `tail` matches and says how many more there were', async () => {
    const { data } = await logs({ id: `${P}big`, since: '1h', stderr: false, grep: '777', tail: 2 });
    // 280 numbers in 1..100000 contain "777"; the last two are 98777 and 99777.
    expect(data.returned).toBe(2);
    expect(data.matched).toBe(280);
    expect(data.lines.map((l) => l.text)).toEqual(['98777', '99777']);
    expect(data.hint).toMatch(/280 matching lines in the range, the last 2 kept/);
  });

  it('matches a (linear-time) regular expression', async () => {
    const { data } = await logs({ id: `${P}big`, since: '1h', regex: '^(9+)+$', tail: 20 });
    // 9, 99, 999, 9999, 99999 on each stream
    expect(data.matched).toBe(10);
    expect(data.lines.map((l) => l.text).sort()).toEqual([
      '9',
      '9',
      '99',
      '99',
      '999',
      '999',
      '9999',
      '9999',
      '99999',
      '99999',
    ]);
  });

  it('rejects a regex with a backreference, with a reason the model can act on', async () => {
    const { res, text } = await logs({ id: `${P}big`, regex: '(\\d)\\1' });
    expect(res.isError).toBe(true);
    expect(text).toBe(
      'Invalid arguments for docker_logs: regex rejected — backreferences (\\1) are not supported. Simplify the pattern, or use grep for plain text.',
    );
  });

  it('filters by level (warn = warnings and errors)', async () => {
    const warn = await logs({ id: `${P}big`, since: '1h', level: 'warn' });
    expect(warn.data).toMatchObject({ scanned: 200_003, matched: 2, returned: 2 });
    expect(warn.data.lines.map((l) => l.text).sort()).toEqual([
      '[WARN] almost full',
      'level=error msg="disk full"',
    ]);
    const info = await logs({ id: `${P}big`, since: '1h', level: 'info', stderr: false });
    expect(info.data.lines.map((l) => l.text)).toEqual(['level=error msg="disk full"', 'INFO: started']);
    const error = await logs({ id: `${P}big`, since: '1h', level: 'error', grep: 'disk' });
    expect(error.data.lines.map((l) => l.text)).toEqual(['level=error msg="disk full"']);
  });

  it('honours since and until (ISO or relative), with timestamps on request', async () => {
    const finished = Date.parse(big.State.FinishedAt);
    const after = await logs({ id: `${P}big`, since: new Date(finished + 2000).toISOString() });
    expect(after.data).toMatchObject({ scanned: 0, matched: 0, returned: 0, lines: [] });
    const before = await logs({
      id: `${P}big`,
      until: new Date(Date.parse(big.State.StartedAt) - 2000).toISOString(),
    });
    expect(before.data.scanned).toBe(0);
    const lastHour = await logs({ id: `${P}big`, since: '1h', grep: 'INFO', timestamps: true });
    expect(lastHour.data).toMatchObject({ scanned: 200_003, matched: 1 });
    const line = lastHour.data.lines[0] as Line;
    expect(line.text).toBe('INFO: started');
    expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z$/);
    expect(Math.abs(Date.parse(line.time as string) - finished)).toBeLessThan(10_000);
    const bad = await logs({ id: `${P}big`, since: 'yesterday' });
    expect(bad.res.isError).toBe(true);
    expect(bad.text).toMatch(/since.*must be an ISO 8601 time/);
    const reversed = await logs({ id: `${P}big`, since: '1h', until: '2h' });
    expect(reversed.text).toMatch(/until .* is not after since/);
  });

  it('drops the oldest lines itself when a big tail would overflow the response, and says so', async () => {
    const { data, text, res } = await logs({ id: `${P}big`, tail: 5000 });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(40 * 1024);
    expect((res.structuredContent as { truncated?: unknown }).truncated).toBeUndefined(); // not the wrapper's cut (which keeps the oldest)
    expect(data.scanned).toBe(5000);
    expect(data.returned).toBeLessThan(5000);
    expect(data.returned).toBeGreaterThan(300);
    expect(data.lines.at(-1)?.n).toBe(5000);
    expect(data.hint).toMatch(
      /^truncated — only the newest \d+ lines fit in the response .*narrow with since\/until\/grep/,
    );
  });

  it('needs something to read, and a filter for context', async () => {
    expect((await logs({ id: `${P}big`, stdout: false, stderr: false })).text).toMatch(/nothing to read/);
    expect((await logs({ id: `${P}big`, context: 3 })).text).toMatch(/context needs grep, regex or level/);
  });
});

describe('docker_logs on a TTY container', () => {
  it('reads the raw stream as stdout, without carriage returns, including an unterminated last line', async () => {
    const { data } = await logs({ id: `${P}tty` });
    expect(data.tty).toBe(true);
    expect(data.lines).toEqual([
      { n: 1, stream: 'stdout', text: 'hello' },
      { n: 2, stream: 'stdout', text: 'oops' },
      { n: 3, stream: 'stdout', text: 'level=error no newline' },
    ]);
    const errors = await logs({ id: `${P}tty`, level: 'error' });
    expect(errors.data.lines.map((l) => l.text)).toEqual(['level=error no newline']);
  });

  it('explains that stderr alone is empty on a TTY', async () => {
    const { data } = await logs({ id: `${P}tty`, stdout: false });
    expect(data).toMatchObject({ lines: [], scanned: 0 });
    expect(data.hint).toMatch(/TTY.*set stdout=true/);
  });
});
