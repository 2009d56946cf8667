import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { toolsOf } from '../../helpers/test-tools.js';

/**
 * docker_network_list and docker_network_inspect over real HTTP: a network created for the test with
 * two running containers on it, one of them hidden by the owner's filters.
 */
const P = `dtn-${randomBytes(3).toString('hex')}-`;
const td = testDocker();
let srv: TestServer;
let client: Client;
let network: Docker.Network | undefined;
let networkId = '';
const containers: string[] = [];

async function call(name: string, args: Record<string, unknown> = {}) {
  const res = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    res,
    data: res.structuredContent as Record<string, any>,
    text: (res.content[0] as { text: string }).text,
  };
}

beforeAll(async () => {
  network = await td.docker.createNetwork({
    Name: `${P}net`,
    Labels: { 'com.example.purpose': 'test', 'com.example.secret': 'hunter2' },
  });
  networkId = network.id;
  for (const name of [`${P}app`, `${P}secret-db`]) {
    const c = await td.docker.createContainer({
      name,
      Image: inject('testImage'),
      Cmd: ['sleep', '3600'],
      HostConfig: { NetworkMode: `${P}net`, Init: true },
    });
    containers.push(c.id);
    await c.start();
  }
  srv = await startTestServer({
    tools: toolsOf('docker'),
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    policy: { filters: { containers: { allow: [], deny: [`${P}secret*`] } } },
  });
  client = await srv.connect();
});
afterAll(async () => {
  await srv?.close();
  await Promise.all(
    containers.map((id) =>
      td.docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  await network?.remove().catch(() => {});
  await td.cleanup();
});

describe('docker_network_list', () => {
  it('lists the network with driver, subnet and only the visible attached containers', async () => {
    const { data, text } = await call('docker_network_list');
    expect(JSON.parse(text)).toEqual(data);
    expect(text).not.toContain('secret-db');
    const net = data.networks.find((n: { name: string }) => n.name === `${P}net`);
    expect(net).toMatchObject({
      id: networkId.slice(0, 12),
      driver: 'bridge',
      scope: 'local',
      internal: false,
      ipv6: false,
      containers: [`${P}app`],
    });
    expect(net.subnets).toHaveLength(1);
    expect(net.subnets[0].subnet).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    expect(data.networks.map((n: { name: string }) => n.name)).toEqual(
      expect.arrayContaining(['none', 'host']),
    );
    expect(data.count).toBe(data.networks.length);
  });
});

describe('docker_network_inspect', () => {
  it('shows IPAM, labels (redacted) and the visible containers with their addresses, by name or ID prefix', async () => {
    for (const id of [`${P}net`, networkId.slice(0, 12)]) {
      const { data, text } = await call('docker_network_inspect', { id });
      expect(text).not.toContain('secret-db');
      expect(text).not.toContain('hunter2');
      expect(data).toMatchObject({
        name: `${P}net`,
        id: networkId,
        driver: 'bridge',
        internal: false,
        labels: { 'com.example.purpose': 'test', 'com.example.secret': '[REDACTED]' },
      });
      expect(data.ipam.subnets[0].subnet).toMatch(/\/\d+$/);
      expect(data.containers).toEqual([
        {
          name: `${P}app`,
          id: (containers[0] as string).slice(0, 12),
          ipv4: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+\/\d+$/),
          ipv6: null,
          macAddress: expect.stringMatching(/^[0-9a-f:]{17}$/),
        },
      ]);
    }
  });

  it('a missing network is a clear not-found error', async () => {
    const { res, text } = await call('docker_network_inspect', { id: `${P}nope` });
    expect(res.isError).toBe(true);
    expect(text).toBe(`No network named or with ID "${P}nope". Use docker_network_list to see the networks.`);
  });
});
