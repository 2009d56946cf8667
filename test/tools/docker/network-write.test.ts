import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomInt } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { confirmFlow } from '../../helpers/confirm-flow.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';
import { toolsOf } from '../../helpers/test-tools.js';

/**
 * Network write tools end to end on the suite's real dockerd: create → connect → disconnect → remove,
 * with their confirmations, checked through dockerode. Containers are created but never started, so
 * no interface comes up and no traffic is ever sent.
 */
const td = testDocker();
const P = 'nww';
const octet = randomInt(20, 250);
const SUBNET = `10.213.${octet}.0/24`;
const net = (n: number) => `10.213.${octet}.${n}`;
const ids: Record<string, string> = {};
const networks: string[] = [];
let srv: TestServer;
let client: Client;

const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const call = async (name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args }, undefined, { timeout: 30_000 })) as CallToolResult;
const named = async (name: string) => (await td.docker.listNetworks()).filter((n) => n.Name === name);
const endpoints = async (container: string) =>
  (await td.docker.getContainer(ids[container] as string).inspect()).NetworkSettings.Networks as Record<
    string,
    any
  >;

const { withToken, withApproval } = confirmFlow(() => srv, call);

beforeAll(async () => {
  // The containers' own network: they need one that is not "none" to join others.
  const home = await td.docker.createNetwork({ Name: `${P}-home`, Driver: 'bridge', Internal: true });
  networks.push(home.id);
  for (const name of [`${P}-app`, `${P}-other`]) {
    const c = await td.docker.createContainer({
      name,
      Image: inject('testImage'),
      Cmd: ['sleep', '3600'],
      HostConfig: { NetworkMode: `${P}-home`, Init: true },
    });
    ids[name] = c.id;
  }
  const prot = await td.docker.createContainer({
    name: `${P}-prot`,
    Image: inject('testImage'),
    Cmd: ['sleep', '3600'],
    Labels: { 'unraid-mcp.protected': 'true' },
    HostConfig: { NetworkMode: `${P}-home`, Init: true },
  });
  ids[`${P}-prot`] = prot.id;
  ids[`${P}-isolated`] = await td.createContainer(`${P}-isolated`);
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: toolsOf('docker'),
    settingsCfg: 'APPROVAL_WAIT_SECONDS="20"\n',
  });
  client = await srv.connect();
});
afterAll(async () => {
  await srv.close();
  await Promise.all(
    Object.values(ids).map((id) =>
      td.docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  await td.cleanup();
  for (const n of await td.docker.listNetworks()) if (n.Name.startsWith(`${P}-`)) networks.push(n.Id);
  for (const id of new Set(networks))
    await td.docker
      .getNetwork(id)
      .remove()
      .catch(() => {});
});

describe('docker_network_create (owner approval)', () => {
  it('describes the network, and creates it as described once approved', async () => {
    const args = {
      name: `${P}-lan`,
      internal: true,
      subnet: SUBNET,
      gateway: net(1),
      labels: { 'com.example.role': 'test' },
    };
    const { description, res } = await withApproval('docker_network_create', args, (c) =>
      c.description.includes(`"${P}-lan"`),
    );
    expect(description).toBe(
      `Create a bridge network "${P}-lan", internal (no outside access), on subnet ${SUBNET}, gateway ${net(1)}, with labels com.example.role=test. No container is attached to it.`,
    );
    const [created] = await named(`${P}-lan`);
    expect(res.structuredContent).toEqual({
      name: `${P}-lan`,
      id: created?.Id,
      driver: 'bridge',
      internal: true,
      subnet: SUBNET,
      gateway: net(1),
      labels: { 'com.example.role': 'test' },
      changed: true,
      message: `Network "${P}-lan" created (bridge, internal, subnet ${SUBNET}).`,
    });
    const info = await td.docker.getNetwork(created?.Id as string).inspect();
    expect(info).toMatchObject({
      Driver: 'bridge',
      Internal: true,
      Labels: { 'com.example.role': 'test' },
      IPAM: { Config: [{ Subnet: SUBNET, Gateway: net(1) }] },
    });
  });

  it('lets Docker choose the subnet when none is given', async () => {
    const { res } = await withApproval('docker_network_create', { name: `${P}-auto`, internal: true }, (c) =>
      c.description.includes(`"${P}-auto"`),
    );
    expect(res.structuredContent).toMatchObject({
      name: `${P}-auto`,
      internal: true,
      subnet: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+\/\d+$/),
    });
    expect(await named(`${P}-auto`)).toHaveLength(1);
  });

  it('shows a label that looks like a secret redacted in the prompt; a denial creates nothing', async () => {
    const args = { name: `${P}-secret`, labels: { 'com.example.api_token': 'hunter2' } };
    const { description, res } = await withApproval(
      'docker_network_create',
      args,
      (c) => c.description.includes(`"${P}-secret"`),
      'deny',
    );
    expect(description).toContain('with labels com.example.api_token=[REDACTED].');
    expect(description).not.toContain('hunter2');
    expect(text(res)).toMatch(/^The owner denied this action.*Nothing was done\.$/);
    expect(await named(`${P}-secret`)).toHaveLength(0);
  });

  it('refuses a name that exists (Docker itself would create a duplicate)', async () => {
    const { res } = await withApproval('docker_network_create', { name: `${P}-lan`, internal: true }, (c) =>
      c.description.includes(`"${P}-lan"`),
    );
    const [existing] = await named(`${P}-lan`);
    expect(text(res)).toBe(
      `A network named "${P}-lan" already exists (${existing?.Id.slice(0, 12)}, driver bridge); nothing was done. Choose another name, or use that network.`,
    );
    expect(await named(`${P}-lan`)).toHaveLength(1);
  });

  it('refuses a subnet overlapping another network, naming it', async () => {
    const { res } = await withApproval(
      'docker_network_create',
      { name: `${P}-overlap`, subnet: `10.213.${octet}.128/25` },
      (c) => c.description.includes(`"${P}-overlap"`),
    );
    expect(text(res)).toBe(
      `The subnet 10.213.${octet}.128/25 overlaps ${SUBNET} of network "${P}-lan"; nothing was done. Choose another subnet, or leave it out to let Docker pick a free one.`,
    );
    expect(await named(`${P}-overlap`)).toHaveLength(0);
  });
});

describe('docker_network_connect (token confirmation)', () => {
  it('connects a container with a static address and aliases, only once the token comes back', async () => {
    const args = { network: `${P}-lan`, container: `${P}-app`, ipv4_address: net(50), aliases: ['db'] };
    const first = await call('docker_network_connect', args);
    expect(text(first)).toContain(
      `This call would: Connect container "${P}-app" (${(ids[`${P}-app`] as string).slice(0, 12)}) to network "${P}-lan" with the static address ${net(50)} and the aliases db.`,
    );
    expect(Object.keys(await endpoints(`${P}-app`))).toEqual([`${P}-home`]);
    const token = (first._meta?.['unraid-mcp/confirmation'] as { token: string }).token;
    const res = await call('docker_network_connect', { ...args, confirmation_token: token });
    const [lan] = await named(`${P}-lan`);
    expect(res.structuredContent).toEqual({
      container: { name: `${P}-app`, id: ids[`${P}-app`] },
      network: { name: `${P}-lan`, id: lan?.Id },
      connected: true,
      ipv4Address: net(50),
      aliases: expect.arrayContaining(['db']),
      networks: [`${P}-home`, `${P}-lan`].sort(),
      changed: true,
      message: `Container "${P}-app" connected to network "${P}-lan"; it gets ${net(50)} when it starts.`,
    });
    const ep = (await endpoints(`${P}-app`))[`${P}-lan`];
    expect(ep.IPAMConfig).toEqual({ IPv4Address: net(50) });
    expect(ep.Aliases).toContain('db');
  });

  it('refuses a container that is already on the network, keeping its settings', async () => {
    const { res } = await withToken('docker_network_connect', { network: `${P}-lan`, container: `${P}-app` });
    expect(text(res)).toBe(
      `Container "${P}-app" is already connected to network "${P}-lan"; nothing was done. To change its address or aliases, disconnect it first.`,
    );
    expect((await endpoints(`${P}-app`))[`${P}-lan`].IPAMConfig).toEqual({ IPv4Address: net(50) });
  });

  it.each([
    [
      'outside the subnet',
      '10.9.9.9',
      `The address 10.9.9.9 on network "${P}-lan" is outside its subnet ${SUBNET}. Nothing was done.`,
    ],
    [
      'the network address',
      `10.213.${octet}.0`,
      `The address 10.213.${octet}.0 is the network address of ${SUBNET}. Nothing was done.`,
    ],
    [
      'the gateway',
      `10.213.${octet}.1`,
      `The address 10.213.${octet}.1 is the gateway of network "${P}-lan". Nothing was done.`,
    ],
  ])('refuses a static address %s', async (_what, address, message) => {
    const { res } = await withToken('docker_network_connect', {
      network: `${P}-lan`,
      container: `${P}-other`,
      ipv4_address: address,
    });
    expect(text(res)).toBe(message);
    expect(Object.keys(await endpoints(`${P}-other`))).toEqual([`${P}-home`]);
  });

  it('refuses a container whose network mode is none', async () => {
    const { res } = await withToken('docker_network_connect', {
      network: `${P}-lan`,
      container: `${P}-isolated`,
    });
    expect(text(res)).toBe(
      `Container "${P}-isolated" uses network mode "none", so it cannot be attached to other networks; nothing was done. Change its network type in the Docker tab first.`,
    );
    expect(Object.keys(await endpoints(`${P}-isolated`))).toEqual(['none']);
  });

  it('refuses joining the predefined host or none network', async () => {
    const { res } = await withToken('docker_network_connect', { network: 'none', container: `${P}-other` });
    expect(text(res)).toBe(
      '"none" is Docker\'s none network: a container is on it by its network mode, not by connecting. Nothing was done.',
    );
  });

  it('an unknown network is a clear not-found error', async () => {
    const { res } = await withToken('docker_network_connect', {
      network: `${P}-nope`,
      container: `${P}-other`,
    });
    expect(text(res)).toBe(
      `No network named or with ID "${P}-nope". Use docker_network_list to see the networks.`,
    );
  });

  it('may connect a protected container', async () => {
    const { res } = await withToken('docker_network_connect', {
      network: `${P}-lan`,
      container: `${P}-prot`,
    });
    expect(res.structuredContent).toMatchObject({ connected: true, changed: true });
    expect(Object.keys(await endpoints(`${P}-prot`))).toContain(`${P}-lan`);
  });
});

describe('docker_network_disconnect (token confirmation)', () => {
  it('refuses to disconnect a protected container', async () => {
    const res = await call('docker_network_disconnect', { network: `${P}-lan`, container: `${P}-prot` });
    expect(text(res)).toMatch(
      new RegExp(`^container "${P}-prot" is protected \\(label unraid-mcp.protected=true\\)`),
    );
    expect(Object.keys(await endpoints(`${P}-prot`))).toContain(`${P}-lan`);
  });

  it('disconnects a container', async () => {
    const { first, res } = await withToken('docker_network_disconnect', {
      network: `${P}-lan`,
      container: `${P}-app`,
    });
    expect(text(first)).toContain(
      `This call would: Disconnect container "${P}-app" (${(ids[`${P}-app`] as string).slice(0, 12)}) from network "${P}-lan"; a running container loses that network at once.`,
    );
    expect(res.structuredContent).toMatchObject({
      container: { name: `${P}-app` },
      network: { name: `${P}-lan` },
      connected: false,
      ipv4Address: null,
      aliases: [],
      networks: [`${P}-home`],
      changed: true,
      message: `Container "${P}-app" disconnected from network "${P}-lan"; it is still on "${P}-home".`,
    });
    expect(Object.keys(await endpoints(`${P}-app`))).toEqual([`${P}-home`]);
  });

  it('refuses a container that is not on the network, listing where it is', async () => {
    const { res } = await withToken('docker_network_disconnect', {
      network: `${P}-lan`,
      container: `${P}-app`,
    });
    expect(text(res)).toBe(
      `Container "${P}-app" is not connected to network "${P}-lan"; nothing was done. It is on: "${P}-home".`,
    );
  });
});

describe('docker_network_remove (owner approval)', () => {
  it('refuses while a container — even a stopped one — is attached, naming it', async () => {
    const { description, res } = await withApproval('docker_network_remove', { id: `${P}-lan` }, (c) =>
      c.description.includes(`"${P}-lan"`),
    );
    const [lan] = await named(`${P}-lan`);
    expect(description).toBe(
      `Remove network "${P}-lan" (${lan?.Id.slice(0, 12)}); refused if any container, running or stopped, is still attached to it.`,
    );
    expect(text(res)).toBe(
      `Network "${P}-lan" still has 1 container attached ("${P}-prot"); nothing was done. Disconnect them with docker_network_disconnect first (stopped ones too: they could not start without the network).`,
    );
    expect(await named(`${P}-lan`)).toHaveLength(1);
  });

  it('removes a network once nothing is attached, by ID prefix', async () => {
    await td.docker.getNetwork(`${P}-lan`).disconnect({ Container: ids[`${P}-prot`] });
    const [lan] = await named(`${P}-lan`);
    const prefix = (lan?.Id as string).slice(0, 12);
    const { res } = await withApproval('docker_network_remove', { id: prefix }, (c) =>
      c.description.includes(`"${P}-lan"`),
    );
    expect(res.structuredContent).toEqual({
      name: `${P}-lan`,
      id: lan?.Id,
      state: 'removed',
      changed: true,
      message: `Network "${P}-lan" removed.`,
    });
    await expect(td.docker.getNetwork(lan?.Id as string).inspect()).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('refuses the predefined networks', async () => {
    const { res } = await withApproval('docker_network_remove', { id: 'host' }, (c) =>
      c.description.includes('"host"'),
    );
    expect(text(res)).toBe('"host" is one of Docker\'s predefined networks and cannot be removed.');
    expect(await named('host')).toHaveLength(1);
  });

  it('an unknown network is refused before the owner is asked', async () => {
    const res = await call('docker_network_remove', { id: `${P}-lan` });
    expect(text(res)).toBe(
      `No network named or with ID "${P}-lan". Use docker_network_list to see the networks.`,
    );
  });
});

describe('audit', () => {
  it('records the network actions with their targets and confirmations', async () => {
    const records = (await readAudit(srv.env.auditDir)).filter((r) => r.stage === 'outcome');
    const created = records.find((r) => r.tool === 'docker_network_create' && r.result?.status === 'ok');
    expect(created).toMatchObject({
      target: null,
      confirmation: { mode: 'approve' },
      args: { name: `${P}-lan`, subnet: SUBNET },
    });
    const removed = records.find((r) => r.tool === 'docker_network_remove' && r.result?.status === 'ok');
    expect(removed).toMatchObject({
      target: { kind: 'network', name: `${P}-lan` },
      confirmation: { mode: 'approve' },
    });
    const connected = records.find((r) => r.tool === 'docker_network_connect' && r.result?.status === 'ok');
    expect(connected).toMatchObject({
      target: { kind: 'container', name: `${P}-app`, id: ids[`${P}-app`] },
      confirmation: { mode: 'token', outcome: 'token_confirmed' },
    });
    const refused = records.find(
      (r) => r.tool === 'docker_network_disconnect' && r.decision.allowed === false,
    );
    expect(refused).toMatchObject({
      decision: { rule: 'protected:label' },
      result: { code: 'policy_denied' },
    });
  });
});
