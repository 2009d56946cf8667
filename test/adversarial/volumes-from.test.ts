import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testDocker } from '../helpers/docker.js';
import { toolsOf } from '../helpers/test-tools.js';
import { containerExists, createArgs, createOutcome } from '../helpers/docker-create.js';

/**
 * The attack: an agent asks docker_create for a container with `volumes_from` naming an existing
 * container that mounts the Docker socket (Portainer-style), the flash drive or a bind-type volume
 * of "/" — and so gets, second-hand, the mounts a `binds` entry could never ask for. Sent over real
 * HTTP with the SDK client to the real sidecar and the suite's real dockerd, with the owner's
 * confirmation for docker_create relaxed to "none": every inherited mount must be refused like a
 * bind, naming the mount and why, and no container may appear. A hidden source container must look
 * exactly like a missing one. The positive case shows the approver the inherited mounts and the
 * command, and creates the container from exactly the container that was checked.
 */
const P = 'vf-';
const td = testDocker();
const docker = td.docker;
let tmp: string;
let relaxed: TestServer;
let approving: TestServer;
let relaxedClient: Client;
let approvingClient: Client;
const ids: Record<string, string> = {};
const volumes: string[] = [];
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

/** A source container, created and never started: Docker records its mounts but mounts nothing. */
async function source(name: string, hostConfig: Docker.HostConfig): Promise<string> {
  const c = await docker.createContainer({
    name,
    Image: inject('testImage'),
    Cmd: ['sleep', '3600'],
    HostConfig: { NetworkMode: 'none', ...hostConfig },
  });
  ids[name] = c.id;
  return c.id;
}
async function volume(name: string, opts: Record<string, string> = {}): Promise<string> {
  await docker.createVolume({ Name: name, Driver: 'local', DriverOpts: opts });
  volumes.push(name);
  return name;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'umcp-vf-'));
  await mkdir(join(tmp, 'appdata', 'shared'), { recursive: true });
  await symlink('/', join(tmp, 'appdata', 'root'));
  const hostEnv = {
    DOCKER_HOST: `unix://${inject('dockerSocket')}`,
    UNRAID_MCP_BIND_ALLOWLIST: `${tmp}/appdata/*`,
    UNRAID_MCP_DOCKERMAN_TEMPLATES: join(tmp, 'no-templates'),
  };
  const tools = toolsOf('docker');
  relaxed = await startTestServer({
    env: hostEnv,
    tools,
    policy: {
      confirmModes: { docker_create: 'none' },
      filters: { containers: { allow: [], deny: [`${P}hidden*`] } },
    },
  });
  approving = await startTestServer({ env: hostEnv, tools, settingsCfg: 'APPROVAL_WAIT_SECONDS="15"\n' });
  relaxedClient = await relaxed.connect();
  approvingClient = await approving.connect();

  // The suite's own dockerd socket (a temporary path), the standard socket path, the flash drive.
  await source(`${P}portainer`, { Binds: [`${inject('dockerSocket')}:/var/run/docker.sock`] });
  await source(`${P}portainer-std`, { Binds: ['/var/run/docker.sock:/var/run/docker.sock'] });
  await source(`${P}flash`, { Binds: ['/boot:/boot'] });
  await source(`${P}hidden-portainer`, { Binds: ['/var/run/docker.sock:/var/run/docker.sock'] });
  await source(`${P}linker`, { Binds: [`${tmp}/appdata/root:/host`] });
  await volume(`${P}rootbind`, { type: 'none', o: 'bind', device: '/' });
  await volume(`${P}relative`, { type: 'none', o: 'bind', device: 'etc' });
  await source(`${P}rootvol`, { Binds: [`${P}rootbind:/host`] });
  // Hides the socket behind a container that itself only uses volumes_from.
  await source(`${P}chained`, { VolumesFrom: [`${P}portainer-std:ro`] });
  await volume(`${P}plain`);
  await source(`${P}app`, { Binds: [`${tmp}/appdata/shared:/shared:ro`, `${P}plain:/data`] });
});

afterAll(async () => {
  await relaxed?.close();
  await approving?.close();
  const mine = await docker.listContainers({ all: true, filters: { name: [P] } });
  await Promise.all(mine.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  await Promise.all(
    volumes.map((v) =>
      docker
        .getVolume(v)
        .remove()
        .catch(() => {}),
    ),
  );
  await td.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

const exists = (name: string) => containerExists(docker, name);
const base = createArgs;
const outcomeFor = createOutcome;

/** Sends the attack with confirmation off; expects the policy's refusal and nothing created. */
async function attack(name: string, extra: Record<string, unknown>): Promise<string> {
  const res = (await relaxedClient.callTool({
    name: 'docker_create',
    arguments: { ...base(name), ...extra },
  })) as CallToolResult;
  expect(res.isError).toBe(true);
  expect(text(res)).toMatch(/^docker_create refused — nothing was sent to Docker\. /);
  expect(text(res)).toContain('These options are refused whatever the confirmation setting');
  expect(await exists(name)).toBe(false);
  expect(await outcomeFor(relaxed, name)).toMatchObject({
    decision: { allowed: false, rule: 'create_policy' },
    result: { status: 'error', code: 'policy_denied' },
  });
  return text(res);
}

describe('volumes_from cannot hand over what binds may not (confirmation relaxed to none)', () => {
  const cases: Array<[string, () => Record<string, unknown>, () => string]> = [
    [
      "a container binding the suite dockerd's socket",
      () => ({ volumes_from: [`${P}portainer`] }),
      () =>
        `volumes_from[0] (inherited from container "${P}portainer" at /var/run/docker.sock): "${inject('dockerSocket')}" is outside the folders containers may use`,
    ],
    [
      'a container binding /var/run/docker.sock',
      () => ({ volumes_from: [`${P}portainer-std`] }),
      () =>
        `volumes_from[0] (inherited from container "${P}portainer-std" at /var/run/docker.sock): "/var/run/docker.sock" is the Docker socket — containers with it control the whole server`,
    ],
    [
      'the same, read-only (a read-only socket is still the socket)',
      () => ({ volumes_from: [`${P}portainer-std:ro`] }),
      () =>
        `volumes_from[0] (inherited from container "${P}portainer-std" at /var/run/docker.sock): "/var/run/docker.sock" is the Docker socket`,
    ],
    [
      'the socket by the source container ID prefix',
      () => ({ volumes_from: [ids[`${P}portainer-std`]!.slice(0, 12)] }),
      () =>
        `(inherited from container "${P}portainer-std" at /var/run/docker.sock): "/var/run/docker.sock" is the Docker socket`,
    ],
    [
      'the socket passed on by a container that only has volumes_from itself',
      () => ({ volumes_from: [`${P}chained`] }),
      () =>
        `volumes_from[0] (inherited from container "${P}chained" at /var/run/docker.sock): "/var/run/docker.sock" is the Docker socket`,
    ],
    [
      'the flash drive, after an allowed source',
      () => ({ volumes_from: [`${P}app`, `${P}flash`] }),
      () =>
        `volumes_from[1] (inherited from container "${P}flash" at /boot): "/boot" is the Unraid flash drive — it holds the boot files and all configuration`,
    ],
    [
      'a bind through a symlink to /',
      () => ({ volumes_from: [`${P}linker`] }),
      () =>
        `volumes_from[0] (inherited from container "${P}linker" at /host): "${tmp}/appdata/root" resolves to the server's whole root filesystem ("/")`,
    ],
    [
      'a bind-type named volume of / in the source container',
      () => ({ volumes_from: [`${P}rootvol:ro`] }),
      () =>
        `volumes_from[0] (volume "${P}rootbind" inherited from container "${P}rootvol" at /host, a bind of a host folder): "/" is the server's whole root filesystem — containers with it control the whole server`,
    ],
    [
      'the bind-type named volume of / asked for directly',
      () => ({ volumes: [{ name: `${P}rootbind`, container: '/host' }] }),
      () =>
        `volumes[0] (volume "${P}rootbind", a bind of a host folder): "/" is the server's whole root filesystem`,
    ],
    [
      'a bind-type named volume with a relative device',
      () => ({ volumes: [{ name: `${P}relative`, container: '/host' }] }),
      () => `volumes[0] (volume "${P}relative", a bind of a host folder): "etc" is not an absolute path`,
    ],
  ];
  it.each(cases.map(([what, extra, message], i) => [what, extra, message, `${P}attack-${i}`] as const))(
    'refuses %s',
    async (_what, extra, message, name) => {
      expect(await attack(name, extra())).toContain(message());
    },
  );

  it('answers a hidden source container exactly like one that does not exist, even by ID prefix', async () => {
    const hidden = await attack(`${P}attack-hidden`, { volumes_from: [`${P}hidden-portainer`] });
    const byId = await attack(`${P}attack-hidden-id`, {
      volumes_from: [`${ids[`${P}hidden-portainer`]!.slice(0, 12)}:ro`],
    });
    const missing = await attack(`${P}attack-missing`, { volumes_from: [`${P}no-such-container`] });
    const shape = (t: string) => t.replace(/"[^"]*"/, '"X"');
    expect(missing).toContain(
      `volumes_from[0]: there is no container named or with ID "${P}no-such-container" — use docker_list to see the containers`,
    );
    expect(shape(hidden)).toBe(shape(missing));
    expect(shape(byId)).toBe(shape(missing));
    for (const t of [hidden, byId]) {
      expect(t).not.toContain('hidden from MCP');
      expect(t).not.toContain('docker.sock');
    }
  });
});

/** Polls the admin API until the pending docker_create confirmation for `name` shows up. */
async function pending(s: TestServer, name: string): Promise<{ id: string; description: string }> {
  for (let i = 0; i < 100; i++) {
    const { json } = await s.admin('GET', '/api/confirmations');
    const found = (
      json.confirmations as Array<{ id: string; status: string; tool: string; description: string }>
    ).find(
      (c) => c.status === 'pending' && c.tool === 'docker_create' && c.description.includes(`"${name}"`),
    );
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no pending docker_create confirmation');
}

describe('an allowed volumes_from, approved by the owner', () => {
  it('shows the inherited mounts with their source and the command, then creates from exactly that container', async () => {
    const name = `${P}consumer`;
    const call = approvingClient.callTool(
      {
        name: 'docker_create',
        arguments: {
          name,
          image: inject('testImage'),
          network: 'none',
          start: false,
          volumes_from: [`${P}app:ro`],
        },
      },
      undefined,
      { timeout: 30_000 },
    );
    const p = await pending(approving, name);
    const shared = `${tmp}/appdata/shared`;
    expect(p.description).toContain('Runs: command ["/bin/sh"] (the image\'s).');
    expect(p.description).toContain(
      `Mounts: volume ${P}plain → /data (ro) from container "${P}app", ${shared} → /shared (ro) from container "${P}app".`,
    );
    expect(p.description).toContain(
      `NEEDS ATTENTION: the mounts of container "${P}app", all read-only: volume ${P}plain → /data (ro), ${shared} → /shared (ro).`,
    );
    expect(p.description).not.toContain('WILL BE REFUSED');
    expect(await exists(name)).toBe(false);
    expect((await approving.admin('POST', `/api/confirmations/${p.id}/approve`, {})).status).toBe(200);

    const res = (await call) as CallToolResult;
    expect(res.isError).toBeFalsy();
    expect((res.structuredContent as { needsAttention: string[] }).needsAttention).toEqual([
      `the mounts of container "${P}app", all read-only: volume ${P}plain → /data (ro), ${shared} → /shared (ro)`,
    ]);
    const info = await docker.getContainer(name).inspect();
    // Pinned by the full ID the policy checked, with the entry's mode.
    expect(info.HostConfig.VolumesFrom).toEqual([`${ids[`${P}app`]}:ro`]);
    expect(info.Config.Cmd).toEqual(['/bin/sh']);
    expect(info.Mounts.map((m) => [m.Destination, m.RW]).sort()).toEqual([
      ['/data', false],
      ['/shared', false],
    ]);
  });

  it('refuses at run time when the source was swapped for a dangerous one while the approval waited', async () => {
    const name = `${P}swapped-consumer`;
    const decoy = `${P}swap-source`;
    await source(decoy, { Binds: [`${tmp}/appdata/shared:/shared`] });
    const call = approvingClient.callTool(
      {
        name: 'docker_create',
        arguments: { ...base(name), start: false, volumes_from: [decoy] },
      },
      undefined,
      { timeout: 30_000 },
    );
    const p = await pending(approving, name);
    expect(p.description).toContain(`${tmp}/appdata/shared → /shared (rw) from container "${decoy}"`);
    expect(p.description).toContain('Runs: command ["sleep","3600"] (from the request).');
    // While the owner looks, the decoy is renamed away and a socket-holder takes its name.
    await docker.getContainer(decoy).rename({ name: `${decoy}-old` });
    await source(decoy, { Binds: ['/var/run/docker.sock:/var/run/docker.sock'] });
    expect((await approving.admin('POST', `/api/confirmations/${p.id}/approve`, {})).status).toBe(200);

    const res = (await call) as CallToolResult;
    expect(res.isError).toBe(true);
    expect(text(res)).toContain(
      `volumes_from[0] (inherited from container "${decoy}" at /var/run/docker.sock): "/var/run/docker.sock" is the Docker socket`,
    );
    expect(await exists(name)).toBe(false);
  });
});
