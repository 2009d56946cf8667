import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';
import { toolsOf } from '../../helpers/test-tools.js';
import { gatewayProblem } from '../../../server/tools/docker/shared/network-args.js';
import { overlaps, parseCidr, parseIpv4, subnetOf } from '../../../server/backends/docker/ipv4.js';

/**
 * Hostile or malformed arguments to the network write tools over real HTTP: a precise error, no
 * network created, removed or changed, no owner ever asked, and an audit record for each.
 */
const td = testDocker();
const P = 'nwb';
const created: string[] = [];
let srv: TestServer;
let client: Client;
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const call = async (name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;
const networkSet = async () =>
  JSON.stringify((await td.docker.listNetworks()).map((n) => `${n.Id} ${n.Name}`).sort());

beforeAll(async () => {
  created.push((await td.docker.createNetwork({ Name: `${P}-lan`, Driver: 'bridge', Internal: true })).id);
  await td.docker.createContainer({
    name: `${P}-app`,
    Image: inject('testImage'),
    Cmd: ['sleep', '3600'],
    HostConfig: { NetworkMode: `${P}-lan`, Init: true },
  });
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: toolsOf('docker'),
  });
  client = await srv.connect();
});
afterAll(async () => {
  await srv.close();
  await td.docker
    .getContainer(`${P}-app`)
    .remove({ force: true })
    .catch(() => {});
  await td.cleanup();
  await Promise.all(
    created.map((id) =>
      td.docker
        .getNetwork(id)
        .remove()
        .catch(() => {}),
    ),
  );
});

const invalid = (tool: string, message: string) => `Invalid arguments for ${tool}: ${message}`;
const BAD_NAME =
  '"name": a network name starts with a letter or digit and holds only letters, digits, "_", "." and "-" (up to 128)';

describe('docker_network_create refuses bad input before the owner is asked', () => {
  it.each([
    ['shell metacharacters', { name: `${P}; rm -rf /` }, BAD_NAME],
    ['command substitution', { name: `$(reboot)` }, BAD_NAME],
    ['a path climb', { name: '../etc' }, BAD_NAME],
    ['a URL-encoded path climb', { name: '%2e%2e%2fnetworks' }, BAD_NAME],
    ['a zero-width character', { name: `${P}\u200bx` }, BAD_NAME],
    [
      'a 10 KB name',
      { name: 'n'.repeat(10 * 1024) },
      '"name": Too big: expected string to have <=128 characters',
    ],
    [
      'a predefined name',
      { name: 'host' },
      '"name": bridge, host and none are Docker\'s predefined networks and cannot be created',
    ],
    [
      'a prefix over 32 bits',
      { name: `${P}-x`, subnet: '10.1.0.0/33' },
      '"subnet": "10.1.0.0/33" is not an IPv4 subnet in CIDR form, such as "172.30.0.0/24"',
    ],
    [
      'an octet over 255',
      { name: `${P}-x`, subnet: '300.1.0.0/16' },
      '"subnet": "300.1.0.0/16" is not an IPv4 subnet in CIDR form, such as "172.30.0.0/24"',
    ],
    [
      'a subnet without prefix',
      { name: `${P}-x`, subnet: '10.1.0.0' },
      '"subnet": "10.1.0.0" is not an IPv4 subnet in CIDR form, such as "172.30.0.0/24"',
    ],
    [
      'a URL-encoded subnet',
      { name: `${P}-x`, subnet: '10.1.0.0%2f16' },
      '"subnet": "10.1.0.0%2f16" is not an IPv4 subnet in CIDR form, such as "172.30.0.0/24"',
    ],
    [
      'an IPv6 subnet',
      { name: `${P}-x`, subnet: 'fd00::/64' },
      '"subnet": "fd00::/64" is not an IPv4 subnet in CIDR form, such as "172.30.0.0/24"',
    ],
    [
      'host bits in the subnet',
      { name: `${P}-x`, subnet: '10.1.2.3/16' },
      '"subnet": "10.1.2.3/16" has host bits set; the subnet is "10.1.0.0/16"',
    ],
    [
      'a /31 subnet',
      { name: `${P}-x`, subnet: '10.1.0.0/31' },
      '"subnet": a /31 subnet is not usable for a Docker network; use a prefix from /8 to /30',
    ],
    [
      'a gateway without subnet',
      { name: `${P}-x`, gateway: '10.1.0.1' },
      '"gateway": a gateway needs a subnet; give subnet too, or leave gateway out',
    ],
    [
      'a gateway outside the subnet',
      { name: `${P}-x`, subnet: '10.1.0.0/24', gateway: '10.2.0.1' },
      '"gateway": gateway 10.2.0.1 is outside the subnet 10.1.0.0/24',
    ],
    [
      'a malformed gateway',
      { name: `${P}-x`, subnet: '10.1.0.0/24', gateway: '10.1.0.1; reboot' },
      '"gateway": Too big: expected string to have <=15 characters',
    ],
    [
      'a label key with a newline',
      { name: `${P}-x`, labels: { 'a\nb': 'c' } },
      '"labels": "a\nb" is not a label key: use letters, digits, ".", "_" and "-" (up to 128), such as "com.example.role"',
    ],
    [
      'a label value with a control character',
      { name: `${P}-x`, labels: { role: 'a\u0007' } },
      '"labels.role": label values cannot hold control characters',
    ],
    [
      'a 10 KB label value',
      { name: `${P}-x`, labels: { role: 'v'.repeat(10 * 1024) } },
      '"labels.role": Too big: expected string to have <=1024 characters',
    ],
    [
      'a driver other than bridge',
      { name: `${P}-x`, driver: 'macvlan' },
      '"driver": Invalid input: expected "bridge"',
    ],
    [
      'an unknown option',
      { name: `${P}-x`, options: { 'com.docker.network.bridge.name': 'br0' } },
      'unknown argument "options" (not in this tool\'s input schema)',
    ],
  ])('%s', async (_what, args, message) => {
    const before = await networkSet();
    const res = await call('docker_network_create', args);
    expect(res.isError).toBe(true);
    expect(text(res)).toBe(invalid('docker_network_create', message));
    expect(await networkSet()).toBe(before);
    expect((await srv.admin('GET', '/api/confirmations')).json.confirmations).toEqual([]);
  });
});

describe('hostile network references', () => {
  it.each([
    ['shell metacharacters', `${P}-lan; rm -rf /`],
    ['a path climb', '../containers/x'],
    ['a URL-encoded path climb', '%2e%2e%2fcontainers'],
  ])(
    '%s: refused for remove before the owner is asked, and for connect and disconnect before any token',
    async (_what, ref) => {
      const before = await networkSet();
      const removal = await call('docker_network_remove', { id: ref });
      expect(text(removal)).toBe(`"${ref}" is not a network name or ID.`);
      for (const tool of ['docker_network_connect', 'docker_network_disconnect']) {
        const res = await call(tool, { network: ref, container: `${P}-app` });
        expect(text(res)).toBe(
          invalid(
            tool,
            '"network": a network is given by its name or (a prefix of) its ID: letters, digits, "_", "." and "-"',
          ),
        );
        expect(res._meta?.['unraid-mcp/confirmation']).toBeUndefined();
      }
      expect(await networkSet()).toBe(before);
      expect(
        Object.keys((await td.docker.getContainer(`${P}-app`).inspect()).NetworkSettings.Networks),
      ).toEqual([`${P}-lan`]);
    },
  );

  it('a static address that is not IPv4 is refused by validation', async () => {
    const res = await call('docker_network_connect', {
      network: `${P}-lan`,
      container: `${P}-app`,
      ipv4_address: '10.0.0.1/24',
    });
    expect(text(res)).toBe(
      invalid('docker_network_connect', '"ipv4_address": not an IPv4 address such as "172.30.0.10"'),
    );
  });

  it('an alias with shell metacharacters is refused by validation', async () => {
    const res = await call('docker_network_connect', {
      network: `${P}-lan`,
      container: `${P}-app`,
      aliases: ['db;reboot'],
    });
    expect(text(res)).toBe(
      invalid(
        'docker_network_connect',
        '"aliases.0": an alias is a DNS name: letters, digits, "_", "." and "-"',
      ),
    );
  });
});

describe('an ambiguous network ID prefix', () => {
  it('is refused without naming the candidates, and nothing is removed', { timeout: 60_000 }, async () => {
    // Configuration-only networks allocate nothing (no bridge, no subnet): create them until two IDs
    // share their first 4 hex digits (the shortest prefix the resolver accepts), then keep only those.
    const byPrefix = new Map<string, string[]>();
    let shared: string | undefined;
    const extra: string[] = [];
    for (let batch = 0; !shared && batch < 100; batch++) {
      const made = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          td.docker.createNetwork({ Name: `${P}-amb-${batch}-${i}`, ConfigOnly: true }).then((n) => n.id),
        ),
      );
      for (const id of made) {
        extra.push(id);
        const list = byPrefix.get(id.slice(0, 4)) ?? [];
        list.push(id);
        byPrefix.set(id.slice(0, 4), list);
        if (list.length > 1) shared ??= id.slice(0, 4);
      }
    }
    const pair = byPrefix.get(shared as string) as string[];
    created.push(...pair);
    await Promise.all(
      extra.filter((id) => !pair.includes(id)).map((id) => td.docker.getNetwork(id).remove()),
    );

    const before = await networkSet();
    const res = await call('docker_network_remove', { id: shared });
    expect(text(res)).toMatch(
      new RegExp(
        `^The ID prefix "${shared}" matches \\d+ networks\\. Use more characters of the ID, or the network name\\.$`,
      ),
    );
    expect(text(res)).not.toContain(pair[0]);
    expect((await srv.admin('GET', '/api/confirmations')).json.confirmations).toEqual([]);
    // For connect the network is not the wrapper's target: the ambiguity shows when the confirmed call runs.
    const first = await call('docker_network_connect', { network: shared, container: `${P}-app` });
    const token = (first._meta?.['unraid-mcp/confirmation'] as { token: string }).token;
    const connect = await call('docker_network_connect', {
      network: shared,
      container: `${P}-app`,
      confirmation_token: token,
    });
    expect(text(connect)).toMatch(new RegExp(`^The ID prefix "${shared}" matches \\d+ networks\\.`));
    expect(await networkSet()).toBe(before);
    expect(
      Object.keys((await td.docker.getContainer(`${P}-app`).inspect()).NetworkSettings.Networks),
    ).toEqual([`${P}-lan`]);
  });
});

describe('audit of refused input', () => {
  it('every refusal has an intent and an outcome with its rule; nothing was allowed', async () => {
    const records = (await readAudit(srv.env.auditDir)).filter((r) => r.stage !== 'event');
    const creates = records.filter((r) => r.tool === 'docker_network_create');
    expect(creates).toHaveLength(22 * 2);
    for (const r of creates)
      expect(r).toMatchObject({ decision: { allowed: false, rule: 'invalid_arguments' } });
    expect(
      creates.filter((r) => r.stage === 'outcome').every((r) => r.result?.code === 'invalid_input'),
    ).toBe(true);
    const removes = records.filter((r) => r.tool === 'docker_network_remove' && r.stage === 'outcome');
    expect(removes.map((r) => [r.decision.rule, r.result?.code])).toEqual(
      Array(4).fill(['target', 'invalid_input']),
    );
    expect(removes[0]?.target).toEqual({ kind: 'network', ref: `${P}-lan; rm -rf /` });
    const links = records.filter(
      (r) =>
        (r.tool === 'docker_network_connect' || r.tool === 'docker_network_disconnect') &&
        r.stage === 'outcome',
    );
    expect(links.filter((r) => r.decision.rule === 'invalid_arguments')).toHaveLength(3 * 2 + 2);
    // The ambiguous prefix given to connect: a token first (nothing acts), then the confirmed call fails in the tool.
    const confirmed = links.filter((r) => r.confirmation?.outcome === 'token_confirmed');
    expect(confirmed.map((r) => [r.decision.allowed, r.result?.code])).toEqual([[true, 'invalid_input']]);
  });
});

describe('IPv4 helpers', () => {
  it('parse strictly and compute containment and overlap', () => {
    expect(parseIpv4('192.168.1.10')).toBe(0xc0a8010a);
    for (const bad of ['192.168.1', '192.168.01.1', '1.2.3.4.5', ' 1.2.3.4', '256.1.1.1', '1.2.3.-1', '::1'])
      expect(parseIpv4(bad)).toBeNull();
    expect(parseCidr('10.0.0.0/08')).toBeNull();
    const a = subnetOf(parseIpv4('10.0.0.0') as number, 16);
    expect(overlaps(a, subnetOf(parseIpv4('10.0.200.0') as number, 24))).toBe(true);
    expect(overlaps(a, subnetOf(parseIpv4('10.1.0.0') as number, 24))).toBe(false);
    expect(gatewayProblem('10.0.0.0/30', '10.0.0.3')).toBe(
      'gateway 10.0.0.3 is the broadcast address of 10.0.0.0/30; use a host address such as 10.0.0.1',
    );
    expect(gatewayProblem('10.0.0.0/30', '10.0.0.2')).toBeNull();
  });
});
