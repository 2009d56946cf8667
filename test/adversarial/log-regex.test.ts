import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testDocker } from '../helpers/docker.js';
import { toolsOf } from '../helpers/test-tools.js';

/**
 * The attack: a read token asks docker_logs for a pattern built to be slow, over a log of long lines,
 * hoping to hold the event loop (every other client, /healthz) for as long as the scan runs.
 */
const td = testDocker();
const NAME = 'umcp-adv-long-lines';
/** Within every limit of safe-regex.ts (program under 1000 instructions), yet slow on such lines. */
const PATTERN = 'a.{0,240}x.{0,240}[^abxyz]';
let srv: TestServer;
let client: Client;

beforeAll(async () => {
  // 100 lines of 4095 random "a", "b" and "x": as long as docker_logs keeps, and varied enough that
  // re2js's DFA cache cannot help — PATTERN costs a few hundred ms per line on them (NFA).
  const id = await td.docker
    .createContainer({
      name: NAME,
      Image: inject('testImage'),
      Cmd: [
        'busybox',
        'awk',
        'BEGIN { srand(1); for (l = 0; l < 100; l++) { for (i = 0; i < 4095; i++) printf "%s", substr("abx", int(rand() * 3) + 1, 1); printf "\\n" } }',
      ],
      HostConfig: { NetworkMode: 'none' },
    })
    .then((c) => c.id);
  const c = td.docker.getContainer(id);
  await c.start();
  await c.wait();
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: toolsOf('docker'),
    tokens: [{ name: 'reader', scope: 'read' }],
  });
  client = await srv.connect('reader');
});
afterAll(async () => {
  await srv?.close();
  await td.docker
    .getContainer(NAME)
    .remove({ force: true })
    .catch(() => {});
});

const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;

/** Polls /healthz every 25 ms while `work` runs; returns the slowest answer in ms. */
async function slowestHealthz(work: Promise<unknown>): Promise<number> {
  let done = false;
  void work.finally(() => (done = true));
  let worst = 0;
  while (!done) {
    const t = performance.now();
    const res = await fetch(`${srv.origin}/healthz`);
    expect(res.status).toBe(200);
    worst = Math.max(worst, performance.now() - t);
    await new Promise((r) => setTimeout(r, 25));
  }
  return worst;
}

describe('docker_logs with a pattern built to be slow', () => {
  it('refuses the pattern of the original report before reading any log', async () => {
    const res = (await client.callTool({
      name: 'docker_logs',
      arguments: { id: NAME, tail: 100, regex: '(.{0,999}){2}[^a]' },
    })) as CallToolResult;
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(
      /regex rejected — the pattern is too large once its repetitions are expanded/,
    );
  });

  it('never holds the event loop: /healthz answers within 100 ms while the pattern scans', async () => {
    // 20 such lines: several seconds of matching, all of it on the regex worker.
    const call = client.callTool({
      name: 'docker_logs',
      arguments: { id: NAME, tail: 20, regex: PATTERN, ignoreCase: false },
    }) as Promise<CallToolResult>;
    const worst = await slowestHealthz(call);
    expect(worst).toBeLessThan(100);
    const res = await call;
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toMatchObject({ scanned: 20, matched: 0 });
  }, 60_000);

  it('stops the CPU work when the call ends early (here the client cancels), not only the answer', async () => {
    const abort = new AbortController();
    const call = client.callTool(
      { name: 'docker_logs', arguments: { id: NAME, tail: 100, regex: PATTERN, ignoreCase: false } },
      undefined,
      { signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 500);
    await expect(call).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 200)); // the cancellation reaches the server
    // A scan still running (on the main thread or the regex worker) would keep this process's CPU busy.
    const before = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 1000));
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeLessThan(300);
    const audit = await readFile(join(srv.env.auditDir, 'audit.jsonl'), 'utf8');
    expect(audit).toMatch(/docker_logs was cancelled by the client/);
  }, 30_000);
});
