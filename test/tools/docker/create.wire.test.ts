import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';
import { toolsOf } from '../../helpers/test-tools.js';
import { parseXml, type XmlElement } from './xml-check.js';
import { containerExists, createArgs, createOutcome } from '../../helpers/docker-create.js';

/**
 * docker_create over real HTTP with the SDK client, against the suite's real dockerd: every refusal
 * happens before Docker sees the request (no container appears) and is audited; an approved create
 * gets the protective defaults and, on an "Unraid host" (a templates folder), a dockerMan template.
 */
const P = 'cw-';
const td = testDocker();
const docker = td.docker;
let tmp: string;
let templates: string;
let relaxed: TestServer;
let approving: TestServer;
let relaxedClient: Client;
let approvingClient: Client;
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const env = () => ({ DOCKER_HOST: `unix://${inject('dockerSocket')}` });

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'umcp-create-'));
  templates = join(tmp, 'templates-user');
  await mkdir(join(tmp, 'appdata', 'web'), { recursive: true });
  await mkdir(templates);
  await symlink('/', join(tmp, 'appdata', 'root'));
  const tools = toolsOf('docker');
  const hostEnv = {
    UNRAID_MCP_BIND_ALLOWLIST: `${tmp}/appdata/*`,
    UNRAID_MCP_DOCKERMAN_TEMPLATES: templates,
  };
  // The owner relaxed docker_create to "none": the policy must hold regardless.
  relaxed = await startTestServer({
    env: { ...env(), ...hostEnv },
    tools,
    policy: {
      confirmModes: { docker_create: 'none' },
      filters: { containers: { allow: [], deny: [`${P}hidden*`] } },
    },
  });
  approving = await startTestServer({
    env: { ...env(), ...hostEnv },
    tools,
    settingsCfg: 'APPROVAL_WAIT_SECONDS="15"\n',
  });
  relaxedClient = await relaxed.connect();
  approvingClient = await approving.connect();
});
afterAll(async () => {
  await relaxed?.close();
  await approving?.close();
  const mine = await docker.listContainers({ all: true, filters: { name: [P] } });
  await Promise.all(
    mine.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  await td.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

const exists = (name: string) => containerExists(docker, name);
const base = createArgs;
const outcomeFor = createOutcome;

describe('the build tools as clients see them', () => {
  it('lists docker_create, docker_update and docker_pull with their annotations and strict schemas', async () => {
    const build = ['docker_create', 'docker_update', 'docker_pull'];
    const tools = (await relaxedClient.listTools()).tools.filter((t) => build.includes(t.name));
    const hints = (n: string) => tools.find((t) => t.name === n)?.annotations;
    expect(tools.map((t) => t.name)).toEqual(build);
    expect(hints('docker_create')).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: false,
    });
    expect(hints('docker_update')).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: true,
    });
    expect(hints('docker_pull')).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    });
    const create = tools.find((t) => t.name === 'docker_create')?.inputSchema as unknown as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, unknown>;
    };
    expect(create.additionalProperties).toBe(false);
    expect(create.required).toEqual(['name', 'image']);
    for (const key of [
      'binds',
      'volumes',
      'ports',
      'env',
      'privileged',
      'cap_add',
      'security_opt',
      'devices',
      'gpus',
      'sysctls',
      'volumes_from',
      'pid_mode',
      'confirmation_id',
    ])
      expect(create.properties).toHaveProperty(key);
  });
});

describe('refused before Docker sees anything (owner relaxed confirmation to none)', () => {
  const bind = (host: string) => ({ binds: [{ host, container: '/data' }] });
  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    ['privileged', () => ({ privileged: true }), 'privileged: true is refused'],
    [
      'the Docker socket',
      () => bind('/var/run/docker.sock'),
      'is the Docker socket — containers with it control the whole server',
    ],
    [
      'the socket via /run/..',
      () => bind('/run/../var/run/docker.sock'),
      '"/run/../var/run/docker.sock" resolves to the Docker socket — containers with it control the whole server',
    ],
    [
      'the socket with a trailing slash',
      () => bind('/var/run/docker.sock/'),
      'resolves to the Docker socket',
    ],
    ["Docker's runtime folder", () => bind('/var/run/docker'), "Docker's runtime folder"],
    ['the containerd socket', () => bind('/run/containerd/containerd.sock'), 'the containerd socket'],
    ['the libvirt socket', () => bind('/var/run/libvirt/libvirt-sock'), 'the libvirt socket'],
    ['/', () => bind('/'), "the server's whole root filesystem"],
    [
      'a symlink to /',
      () => bind(`${tmp}/appdata/root`),
      `resolves to the server's whole root filesystem ("/")`,
    ],
    ['/boot/', () => bind('/boot/'), 'resolves to the Unraid flash drive'],
    ['/dev', () => bind('/dev'), "the server's devices"],
    ['/etc', () => bind('/etc'), "the server's system configuration"],
    ['/lib', () => bind('/lib'), "the server's system libraries"],
    ['/proc', () => bind('/proc'), "the kernel's process interface"],
    ['/sys', () => bind('/sys'), "the kernel's device and settings interface"],
    ['/usr', () => bind('/usr'), "the server's system programs"],
    ['/root', () => bind('/root'), "root's home folder"],
    ['/mnt/user', () => bind('/mnt/user'), 'the whole user-share tree'],
    ['/mnt/disk1', () => bind('/mnt/disk1'), 'a whole array disk'],
    ['/mnt/cache', () => bind('/mnt/cache/'), 'a whole pool or mount root'],
    ['%2e%2e', () => bind(`${tmp}/appdata/web/%2e%2e/%2e%2e/%2e%2e`), 'contains percent-encoding'],
    ['outside the allowlist', () => bind('/srv'), 'is outside the folders containers may use'],
    ['network host', () => ({ network: 'host' }), 'network: "host" is refused'],
    ['pid host', () => ({ pid_mode: 'host' }), 'pid_mode: "host" is refused'],
    ['ipc host', () => ({ ipc_mode: 'host' }), 'ipc_mode: "host" is refused'],
    ['uts host', () => ({ uts_mode: 'host' }), 'uts_mode: "host" is refused'],
    ['userns host', () => ({ userns_mode: 'host' }), 'userns_mode: "host" is refused'],
    ['cgroupns host', () => ({ cgroupns_mode: 'host' }), 'cgroupns_mode: "host" is refused'],
    ['cap_add ALL', () => ({ cap_add: ['ALL'] }), 'cap_add[0]: "ALL" is refused'],
    ['cap_add SYS_ADMIN', () => ({ cap_add: ['SYS_ADMIN'] }), 'cap_add[0]: "SYS_ADMIN" is refused'],
    ['cap_add NET_ADMIN', () => ({ cap_add: ['NET_ADMIN'] }), 'cap_add[0]: "NET_ADMIN" is refused'],
    ['cap_add SYS_PTRACE', () => ({ cap_add: ['SYS_PTRACE'] }), 'cap_add[0]: "SYS_PTRACE" is refused'],
    ['cap_add SYS_MODULE', () => ({ cap_add: ['SYS_MODULE'] }), 'cap_add[0]: "SYS_MODULE" is refused'],
    [
      'cap_add DAC_READ_SEARCH',
      () => ({ cap_add: ['DAC_READ_SEARCH'] }),
      'cap_add[0]: "DAC_READ_SEARCH" is refused',
    ],
    [
      'seccomp=unconfined',
      () => ({ security_opt: ['seccomp=unconfined'] }),
      'turns off the system-call filter',
    ],
    [
      'apparmor=unconfined',
      () => ({ security_opt: ['apparmor=unconfined'] }),
      'turns off the AppArmor profile',
    ],
    ['label=disable', () => ({ security_opt: ['label=disable'] }), 'turns off SELinux separation'],
    [
      'systempaths=unconfined',
      () => ({ security_opt: ['systempaths=unconfined'] }),
      "unmasks the kernel's /proc and /sys paths",
    ],
    [
      'a name the filters hide',
      () => ({ name: `${P}hidden-1` }),
      `containers named "${P}hidden-1" are hidden from MCP`,
    ],
  ];

  it.each(cases.map(([what, extra, message], i) => [what, extra, message, `${P}r${i}`] as const))(
    '%s',
    async (_what, extra, message, name) => {
      const client = relaxedClient;
      const args = { ...base(name), ...extra() };
      const res = (await client.callTool({ name: 'docker_create', arguments: args })) as CallToolResult;
      expect(res.isError).toBe(true);
      expect(text(res)).toMatch(/^docker_create refused — nothing was sent to Docker\. /);
      expect(text(res)).toContain(message);
      expect(await exists((args as { name: string }).name)).toBe(false);
      const outcome = await outcomeFor(relaxed, (args as { name: string }).name);
      expect(outcome).toMatchObject({ result: { status: 'error', code: 'policy_denied' } });
      expect(outcome?.result?.message).toContain(message);
    },
  );

  it('a missing image is a precise error that points to docker_pull, and nothing is created', async () => {
    const client = relaxedClient;
    const res = (await client.callTool({
      name: 'docker_create',
      arguments: { ...base(`${P}noimg`), image: 'umcp-not-here/nothing:1' },
    })) as CallToolResult;
    expect(text(res)).toBe(
      'Image "umcp-not-here/nothing:1" is not on this server, and creating a container never downloads one. Pull it first with docker_pull, then call docker_create again.',
    );
    expect(await exists(`${P}noimg`)).toBe(false);
  });

  it('malformed arguments are refused by validation, naming the argument', async () => {
    const client = relaxedClient;
    const res = (await client.callTool({
      name: 'docker_create',
      arguments: { ...base('-bad name'), image: 'Busybox' },
    })) as CallToolResult;
    expect(text(res)).toContain('"name": must start with a letter or digit');
    expect(text(res)).toContain(
      '"image": "Busybox" is not a valid image reference: repository names must be lowercase',
    );
  });

  it('a container that does not start is removed again', async () => {
    const client = relaxedClient;
    const res = (await client.callTool({
      name: 'docker_create',
      arguments: { ...base(`${P}nostart`), devices: [{ host: '/dev/umcp-no-such-device' }] },
    })) as CallToolResult;
    expect(text(res)).toMatch(
      /^Container "cw-nostart" was created but did not start \(.+\); it was removed again, nothing is left behind\.$/,
    );
    expect(await exists(`${P}nostart`)).toBe(false);
  });
});

/** Polls the admin API until a pending docker_create confirmation shows up. */
async function pending(s: TestServer): Promise<{ id: string; description: string }> {
  for (let i = 0; i < 100; i++) {
    const { json } = await s.admin('GET', '/api/confirmations');
    const found = (
      json.confirmations as Array<{ id: string; status: string; tool: string; description: string }>
    ).find((c) => c.status === 'pending' && c.tool === 'docker_create');
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no pending docker_create confirmation');
}

describe('an approved create', () => {
  it('waits for the owner, then creates with the defaults applied and writes the Unraid template', async () => {
    const name = `${P}web`;
    const client = approvingClient;
    const call = client.callTool(
      {
        name: 'docker_create',
        arguments: {
          ...base(name),
          env: { TZ: 'UTC', DB_PASSWORD: 'hunter2-secret' },
          labels: { 'com.example.note': 'a&b <c> "d"', 'net.unraid.docker.webui': 'http://[IP]:[PORT:80]/' },
          ports: [{ container_port: 80, host_port: 18080 }],
          binds: [{ host: `${tmp}/appdata/web/config/`, container: '/config' }],
          restart: 'unless-stopped',
        },
      },
      undefined,
      { timeout: 30_000 },
    );
    const p = await pending(approving);
    expect(p.description).toContain(
      `Create container "${name}" from image "${inject('testImage')}" and start it (network none).`,
    );
    expect(p.description).toContain('NEEDS ATTENTION: host port 0.0.0.0:18080/tcp → container port 80.');
    expect(p.description).toContain(`Mounts: ${tmp}/appdata/web/config/ → /config (rw).`);
    expect(p.description).toContain('Runs: command ["sleep","3600"] (from the request).');
    expect(p.description).toContain('Environment variables: TZ, DB_PASSWORD (values not shown).');
    expect(p.description).toContain(
      'Defaults added: no-new-privileges, an init process as PID 1, memory limit 1 GiB, process limit 512.',
    );
    expect(p.description).not.toContain('hunter2');
    expect(await exists(name)).toBe(false);
    expect((await approving.admin('POST', `/api/confirmations/${p.id}/approve`, {})).status).toBe(200);

    const res = (await call) as CallToolResult;
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as Record<string, any>;
    expect(out).toMatchObject({
      name,
      state: 'running',
      limits: { memoryBytes: 1024 ** 3, pidsLimit: 512, nanoCpus: null },
      needsAttention: ['host port 0.0.0.0:18080/tcp → container port 80'],
      binds: [
        {
          host: `${tmp}/appdata/web/config/`,
          resolvedHost: `${tmp}/appdata/web/config`,
          container: '/config',
          readOnly: false,
        },
      ],
      template: { written: true, path: join(templates, `my-${name}.xml`) },
    });

    const info = await docker.getContainer(name).inspect();
    expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
    expect(info.HostConfig).toMatchObject({
      Init: true,
      Memory: 1024 ** 3,
      PidsLimit: 512,
      Privileged: false,
      RestartPolicy: { Name: 'unless-stopped' },
    });
    expect(info.HostConfig.Binds).toEqual([`${tmp}/appdata/web/config:/config`]);
    expect(info.Config.Env).toEqual(expect.arrayContaining(['TZ=UTC', 'DB_PASSWORD=hunter2-secret']));
    expect(info.Config.Labels).toMatchObject({
      'net.unraid.docker.managed': 'dockerman',
      'com.example.note': 'a&b <c> "d"',
    });
    expect(existsSync(`${tmp}/appdata/web/config`)).toBe(true);

    const xml = parseXml(await readFile(join(templates, `my-${name}.xml`), 'utf8'));
    const el = (n: string) => xml.children.find((c) => c.name === n) as XmlElement;
    expect(el('Name').text).toBe(name);
    expect(el('Repository').text).toBe(inject('testImage'));
    expect(el('Network').text).toBe('none');
    expect(el('WebUI').text).toBe('http://[IP]:[PORT:80]/');
    expect(el('PostArgs').text).toBe('sleep 3600');
    expect(el('ExtraParams').text).toContain('--pids-limit 512');
    const configs = xml.children
      .filter((c) => c.name === 'Config')
      .map((c) => [c.attrs.Type, c.attrs.Target, c.text, c.attrs.Mask]);
    expect(configs).toEqual(
      expect.arrayContaining([
        ['Path', '/config', `${tmp}/appdata/web/config/`, 'false'],
        ['Port', '80', '18080', 'false'],
        ['Variable', 'DB_PASSWORD', 'hunter2-secret', 'true'],
        ['Label', 'com.example.note', 'a&b <c> "d"', 'false'],
      ]),
    );

    const records = await readAudit(approving.env.auditDir);
    const mine = records.filter(
      (r) => r.tool === 'docker_create' && (r.args as { name?: string } | undefined)?.name === name,
    );
    expect(mine.at(-1)).toMatchObject({
      stage: 'outcome',
      result: { status: 'ok' },
      confirmation: { mode: 'approve' },
    });
    expect(JSON.stringify(mine)).not.toContain('hunter2');
  });

  it('a dangerous request is refused before the owner is asked: no pending approval is created', async () => {
    const name = `${P}approved-bad`;
    const before = (await approving.admin('GET', '/api/confirmations')).json.confirmations.length as number;
    const res = (await approvingClient.callTool({
      name: 'docker_create',
      arguments: { ...base(name), binds: [{ host: '/etc', container: '/host-etc' }] },
    })) as CallToolResult;
    expect(text(res)).toContain('docker_create refused — nothing was sent to Docker.');
    expect(text(res)).toContain('binds[0].host: "/etc" is the server\'s system configuration');
    expect((await approving.admin('GET', '/api/confirmations')).json.confirmations).toHaveLength(before);
    expect(await exists(name)).toBe(false);
    expect(await outcomeFor(approving, name)).toMatchObject({
      decision: { allowed: false, rule: 'create_policy' },
      result: { code: 'policy_denied' },
    });
  });
});
