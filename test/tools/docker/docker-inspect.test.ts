import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { toolsOf } from '../../helpers/test-tools.js';

/** docker_inspect over real HTTP: the compact summary, the detail view, and redaction of secrets. */
const P = `dti-${randomBytes(3).toString('hex')}-`;
const td = testDocker();
let srv: TestServer;
let client: Client;
let appId = '';
let exitedId = '';

async function inspect(args: Record<string, unknown>) {
  const res = (await client.callTool({ name: 'docker_inspect', arguments: args })) as CallToolResult;
  return {
    res,
    data: res.structuredContent as Record<string, any>,
    text: (res.content[0] as { text: string }).text,
  };
}

beforeAll(async () => {
  const app = await td.docker.createContainer({
    name: `${P}app`,
    Image: inject('testImage'),
    Cmd: ['sleep', '3600'],
    Env: [
      'DB_PASSWORD=hunter2',
      'TZ=Europe/Berlin',
      'DATABASE_URL=postgres://app:hunter2@db:5432/app',
      'PUID=99',
    ],
    Labels: {
      'net.unraid.docker.managed': 'dockerman',
      'com.example.api_token': 'hunter2',
      'com.example.tier': 'gold',
    },
    ExposedPorts: { '8080/tcp': {} },
    HostConfig: {
      NetworkMode: 'none',
      Init: true,
      Memory: 64 * 1024 * 1024,
      NanoCpus: 1_500_000_000,
      PidsLimit: 100,
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      Binds: ['/tmp:/data:ro'],
      PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }] },
    },
  });
  appId = app.id;
  const exited = await td.docker.createContainer({
    name: `${P}exited`,
    Image: inject('testImage'),
    Cmd: ['sh', '-c', 'exit 3'],
    HostConfig: { NetworkMode: 'none' },
  });
  exitedId = exited.id;
  await exited.start();
  await exited.wait();
  srv = await startTestServer({
    tools: toolsOf('docker'),
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
  });
  client = await srv.connect();
});
afterAll(async () => {
  await srv?.close();
  await Promise.all(
    [appId, exitedId].filter(Boolean).map((id) =>
      td.docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  await td.cleanup();
});

describe('docker_inspect', () => {
  it('summarises configuration: image, limits, restart policy, mounts, ports, labels', async () => {
    const { data, text } = await inspect({ id: `${P}app` });
    expect(JSON.parse(text)).toEqual(data);
    expect(data).toMatchObject({
      id: appId,
      name: `${P}app`,
      image: inject('testImage'),
      command: ['sleep', '3600'],
      state: {
        status: 'created',
        running: false,
        exitCode: 0,
        startedAt: null,
        uptimeSeconds: null,
        health: null,
      },
      restartPolicy: { name: 'unless-stopped', maximumRetryCount: 0 },
      networkMode: 'none',
      mounts: [{ type: 'bind', source: '/tmp', destination: '/data', rw: false, name: null }],
      ports: [{ hostIp: '127.0.0.1', hostPort: 18080, containerPort: 8080, protocol: 'tcp' }],
      resources: { memoryBytes: 64 * 1024 * 1024, cpus: 1.5, pidsLimit: 100, cpusetCpus: null },
      unraid: { managed: 'dockerman', icon: null, webui: null, shell: null },
      logDriver: 'json-file',
      tty: false,
      privileged: false,
    });
    expect(data.detail).toBeUndefined();
  });

  it('never returns a secret env value or label, in the summary or the detail', async () => {
    for (const detail of [false, true]) {
      const { res, data, text } = await inspect({ id: `${P}app`, detail });
      expect(JSON.stringify(res)).not.toContain('hunter2');
      expect(text).not.toContain('hunter2');
      expect(data.env).toEqual(
        expect.arrayContaining([
          { name: 'DB_PASSWORD', value: '[REDACTED]' },
          { name: 'TZ', value: 'Europe/Berlin' },
          { name: 'DATABASE_URL', value: 'postgres://app:[REDACTED]@db:5432/app' },
        ]),
      );
      expect(data.labels).toMatchObject({
        'com.example.api_token': '[REDACTED]',
        'com.example.tier': 'gold',
      });
    }
  });

  it("adds Docker's own sections with detail=true, without host-side daemon paths", async () => {
    const { data, text } = await inspect({ id: appId.slice(0, 12), detail: true });
    expect(data.name).toBe(`${P}app`);
    expect(data.detail).toMatchObject({
      Path: 'sleep',
      Args: ['3600'],
      HostConfig: { Init: true, PidsLimit: 100, Binds: ['/tmp:/data:ro'] },
      Config: {
        Env: expect.arrayContaining(['DB_PASSWORD=[REDACTED]', 'PUID=99']),
        ExposedPorts: { '8080/tcp': {} },
      },
      State: { Status: 'created' },
    });
    expect(text).not.toMatch(/LogPath|ResolvConfPath|HostsPath|SandboxKey|umcp-dockerd/);
  });

  it('reports how a container ended', async () => {
    const { data } = await inspect({ id: `${P}exited` });
    expect(data.state).toMatchObject({
      status: 'exited',
      running: false,
      exitCode: 3,
      oomKilled: false,
      error: null,
    });
    // Start and finish of a container that exits at once can differ by a millisecond either way
    // (dockerd and containerd stamp them); both must be real times close together.
    expect(Math.abs(Date.parse(data.state.finishedAt) - Date.parse(data.state.startedAt))).toBeLessThan(5000);
  });

  it('a missing container is a clear not-found error', async () => {
    const { res, text } = await inspect({ id: `${P}nope` });
    expect(res.isError).toBe(true);
    expect(text).toBe(`No container named or with ID "${P}nope". Use docker_list to see the containers.`);
  });
});
