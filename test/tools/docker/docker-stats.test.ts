import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { toolsOf } from '../../helpers/test-tools.js';

/** docker_stats over real HTTP: one real sample of a running container, and a stopped one refused. */
const P = `dst-${randomBytes(3).toString('hex')}-`;
const td = testDocker();
let srv: TestServer;
let client: Client;
let runningId = '';

async function stats(id: string) {
  const res = (await client.callTool({ name: 'docker_stats', arguments: { id } })) as CallToolResult;
  return {
    res,
    data: res.structuredContent as Record<string, any>,
    text: (res.content[0] as { text: string }).text,
  };
}

beforeAll(async () => {
  runningId = await td.createContainer(`${P}sleeper`, {}, true);
  await td.createContainer(`${P}stopped`);
  srv = await startTestServer({
    tools: toolsOf('docker'),
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
  });
  client = await srv.connect();
});
afterAll(async () => {
  await srv?.close();
  await td.cleanup();
});

describe('docker_stats', () => {
  it('samples a running container with plausible numbers', async () => {
    const started = Date.now();
    const { data, text } = await stats(`${P}sleeper`);
    expect(JSON.parse(text)).toEqual(data);
    expect(Date.now() - started).toBeGreaterThan(500); // Docker waits for a second sample to compute CPU %
    expect(data).toMatchObject({ container: `${P}sleeper`, id: runningId.slice(0, 12), network: null });
    expect(data.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(data.cpuPercent).toBeLessThanOrEqual(100 * data.onlineCpus);
    expect(data.onlineCpus).toBeGreaterThanOrEqual(1);
    expect(data.memory.usedBytes).toBeGreaterThan(0);
    expect(data.memory.usedBytes).toBeLessThan(64 * 1024 * 1024); // sleep + init: well under 64 MB
    expect(data.memory.limitBytes).toBeGreaterThan(data.memory.usedBytes);
    expect(data.memory.percent).toBeGreaterThanOrEqual(0);
    expect(data.memory.percent).toBeLessThan(100);
    expect(data.pids).toBeGreaterThanOrEqual(1);
    expect(data.blockIo.readBytes).toBeGreaterThanOrEqual(0);
    expect(Math.abs(Date.parse(data.sampledAt) - Date.now())).toBeLessThan(60_000);
  });

  it('refuses a container that is not running, saying so', async () => {
    const { res, text } = await stats(`${P}stopped`);
    expect(res.isError).toBe(true);
    expect(text).toMatch(new RegExp(`^container "${P}stopped" is not running \\(state: created\\)`));
  });
});
