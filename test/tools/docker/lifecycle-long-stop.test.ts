import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { toolsOf } from '../../helpers/test-tools.js';

/**
 * A graceful stop longer than the shared Docker client's 30 s idle timeout: Docker answers only once
 * the container is down, so the call must neither be cut at 30 s nor be reported as "Docker is not
 * running" while the stop goes on. Slow by nature (about 31 s); it runs alongside the other files.
 */
const td = testDocker();
let srv: TestServer;
let id: string;

beforeAll(async () => {
  // `sleep` as PID 1 without an init ignores SIGTERM: Docker has to wait out the whole timeout.
  const c = await td.docker.createContainer({
    name: 'lcl-stubborn',
    Image: inject('testImage'),
    Cmd: ['sleep', '3600'],
    HostConfig: { NetworkMode: 'none' },
  });
  id = c.id;
  await c.start();
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: toolsOf('docker'),
    policy: { confirmModes: { docker_stop: 'none' } },
  });
});
afterAll(async () => {
  await srv.close();
  await td.docker
    .getContainer(id)
    .remove({ force: true })
    .catch(() => {});
  await td.cleanup();
});

it('waits out a 31 s stop timeout and reports the kill', { timeout: 90_000 }, async () => {
  const client = await srv.connect();
  const started = Date.now();
  const res = (await client.callTool(
    { name: 'docker_stop', arguments: { id: 'lcl-stubborn', timeout: 31 } },
    undefined,
    { timeout: 80_000 },
  )) as CallToolResult;
  const seconds = (Date.now() - started) / 1000;
  expect(res.isError).toBeFalsy();
  expect(res.structuredContent).toMatchObject({
    name: 'lcl-stubborn',
    previousState: 'running',
    state: 'exited',
    changed: true,
    message: 'Container "lcl-stubborn" stopped; it is exited (exit code 137).',
  });
  expect(seconds).toBeGreaterThanOrEqual(30);
  expect((await td.docker.getContainer(id).inspect()).State).toMatchObject({ Running: false, ExitCode: 137 });
});
