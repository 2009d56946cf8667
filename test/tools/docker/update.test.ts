import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';
import { toolsOf } from '../../helpers/test-tools.js';
import { makeLayer, startLocalRegistry, type Layer, type LocalRegistry } from './local-registry.js';

/**
 * docker_update over real HTTP on the suite's dockerd: the re-create path (configuration kept, old
 * container kept until the new one runs, rollback on failure), the offline path (registry
 * unreachable, image on disk), a real newer image from a registry run by the test, and Unraid's
 * update_container path (a stand-in script that does what the real one does).
 */
const P = 'upd-';
const docker = testDocker().docker;
let tmp: string;
let templates: string;
let scriptLog: string;
let reg: LocalRegistry;
let busybox: Layer;
let plain: TestServer;
let unraid: TestServer;
let plainClient: Client;
let unraidClient: Client;
/** Set by a test to break the new container (exercises the rollback). */
let breakNew: ((c: Docker.ContainerCreateOptions) => Docker.ContainerCreateOptions) | null = null;
const extraImages: string[] = [];

const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const env = () => ({ DOCKER_HOST: `unix://${inject('dockerSocket')}` });

async function pull(ref: string) {
  const stream = await docker.pull(ref);
  await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(null))),
  );
  extraImages.push(ref);
}

async function container(
  name: string,
  image: string,
  opts: {
    start?: boolean;
    env?: string[];
    labels?: Record<string, string>;
    host?: Partial<Docker.HostConfig>;
  } = {},
) {
  const c = await docker.createContainer({
    name,
    Image: image,
    Cmd: ['sleep', '3600'],
    Env: opts.env ?? [],
    Labels: opts.labels ?? {},
    HostConfig: { NetworkMode: 'none', Init: true, ...opts.host },
  });
  if (opts.start !== false) await c.start();
  return c.id;
}

const named = async (prefix: string) =>
  (await docker.listContainers({ all: true, filters: { name: [`^/${prefix}`] } })).map((c) => ({
    id: c.Id,
    name: (c.Names[0] ?? '').slice(1),
    state: c.State,
  }));

async function update(client: Client, args: Record<string, unknown>) {
  const progress: Array<{ progress: number; message?: string }> = [];
  const res = (await client.callTool({ name: 'docker_update', arguments: args }, undefined, {
    onprogress: (p) => progress.push(p),
    timeout: 60_000,
  })) as CallToolResult;
  return { res, out: res.structuredContent as Record<string, any>, progress };
}

/** A stand-in for Unraid's update_container: logs its arguments, then pulls nothing and re-creates NAME from IMAGE. */
function fakeUpdateScript(socket: string, image: string, log: string): string {
  return `#!${process.execPath}
const http = require('node:http');
const fs = require('node:fs');
const name = process.argv[2];
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');
const call = (method, path, body) => new Promise((resolve, reject) => {
  const req = http.request({ socketPath: ${JSON.stringify(socket)}, method, path, headers: { 'Content-Type': 'application/json' } }, (res) => { res.resume(); res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(method + ' ' + path + ' ' + res.statusCode)))); });
  req.on('error', reject);
  req.end(body ? JSON.stringify(body) : undefined);
});
(async () => {
  await call('DELETE', '/containers/' + name + '?force=1');
  await call('POST', '/containers/create?name=' + name, { Image: ${JSON.stringify(image)}, Cmd: ['sleep', '3600'], HostConfig: { NetworkMode: 'none', Init: true } });
  await call('POST', '/containers/' + name + '/start');
})().catch((err) => { console.error(err.message); process.exitCode = 1; });
`;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'umcp-update-'));
  templates = join(tmp, 'templates-user');
  scriptLog = join(tmp, 'update_container.log');
  await mkdir(templates);
  await mkdir(join(tmp, 'data'));
  await writeFile(scriptLog, '');
  busybox = makeLayer({}, true);
  reg = await startLocalRegistry();
  reg.push('umcp/unr', '1', { layers: [busybox, makeLayer({ version: '1' })], cmd: ['sleep', '3600'] });
  const script = join(tmp, 'update_container');
  await writeFile(script, fakeUpdateScript(inject('dockerSocket'), `${reg.host}/umcp/unr:1`, scriptLog));
  await chmod(script, 0o755);
  for (const repo of ['umcp-upd/off', 'umcp-upd/force', 'umcp-upd/rb', 'umcp-upd/stopped']) {
    await docker.getImage(inject('testImage')).tag({ repo, tag: 'latest' });
    extraImages.push(`${repo}:latest`);
  }

  const policy = { confirmModes: { docker_update: 'none' }, protected: { containers: [`${P}prot*`] } };
  plain = await startTestServer({
    policy,
    env: {
      ...env(),
      UNRAID_MCP_UPDATE_CONTAINER_SCRIPT: join(tmp, 'no-such-script'),
      UNRAID_MCP_DOCKERMAN_TEMPLATES: join(tmp, 'no-templates'),
    },
    tools: toolsOf('docker'),
    recreate: { settleMs: 300, adjustNewContainer: (c) => (breakNew ? breakNew(c) : c) },
  });
  unraid = await startTestServer({
    env: { ...env(), UNRAID_MCP_UPDATE_CONTAINER_SCRIPT: script, UNRAID_MCP_DOCKERMAN_TEMPLATES: templates },
    policy,
    tools: toolsOf('docker'),
    recreate: { settleMs: 300 },
  });
  plainClient = await plain.connect();
  unraidClient = await unraid.connect();
});
afterAll(async () => {
  await plain?.close();
  await unraid?.close();
  for (const c of await named(P))
    await docker
      .getContainer(c.id)
      .remove({ force: true })
      .catch(() => {});
  for (const ref of extraImages)
    await docker
      .getImage(ref)
      .remove({ force: true })
      .catch(() => {});
  await reg?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('on a server without a registry (pull fails, the image is on disk)', () => {
  it('says the registry is unreachable and does nothing when the image did not change', async () => {
    const id = await container(`${P}off`, 'umcp-upd/off:latest');
    const { out, progress } = await update(plainClient, { id: `${P}off` });
    expect(out).toMatchObject({
      name: `${P}off`,
      containerId: id,
      method: 'none',
      updated: false,
      pull: { status: 'offline_local_image' },
    });
    expect(out.pull.message).toMatch(
      /^could not reach registry docker\.io: .*Continuing with the image already on the server\.$/,
    );
    expect(out.message).toContain('already runs the newest umcp-upd/off:latest');
    expect(progress.map((p) => p.message)).toContain(out.pull.message);
  });

  it('with force, re-creates the container from the local image, keeping its configuration, name and data', async () => {
    const oldId = await container(`${P}force`, 'umcp-upd/force:latest', {
      env: ['MY_SETTING=kept'],
      labels: { 'com.example.role': 'web' },
      host: {
        Binds: [`${tmp}/data:/data:ro`],
        RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
        Memory: 256 * 1024 ** 2,
        PidsLimit: 100,
        SecurityOpt: ['no-new-privileges:true'],
      },
    });
    const { res, out, progress } = await update(plainClient, { id: `${P}force`, force: true });
    expect(res.isError).toBeFalsy();
    expect(out).toMatchObject({
      method: 'recreate',
      updated: true,
      oldContainerRemoved: true,
      oldImageRemoved: false,
      pull: { status: 'offline_local_image' },
    });
    expect(out.containerId).not.toBe(oldId);

    const info = await docker.getContainer(`${P}force`).inspect();
    expect(info.Id).toBe(out.containerId);
    expect(info.State.Running).toBe(true);
    expect(info.Config.Env).toContain('MY_SETTING=kept');
    expect(info.Config.Labels).toMatchObject({ 'com.example.role': 'web' });
    expect(info.Config.Cmd).toEqual(['sleep', '3600']);
    expect(info.HostConfig).toMatchObject({
      Binds: [`${tmp}/data:/data:ro`],
      RestartPolicy: { Name: 'unless-stopped' },
      Memory: 256 * 1024 ** 2,
      PidsLimit: 100,
      Init: true,
      NetworkMode: 'none',
      SecurityOpt: ['no-new-privileges:true'],
    });
    expect(await named(`${P}force`)).toHaveLength(1);

    const messages = progress.map((p) => p.message ?? '');
    for (const step of [
      `Stopping "${P}force"`,
      `Keeping the old container as "${P}force-old-`,
      `Creating the new "${P}force"`,
      `Starting the new "${P}force"`,
      `Removing the old container "${P}force-old-`,
      `Updated "${P}force"`,
    ]) {
      expect(
        messages.some((m) => m.startsWith(step)),
        step,
      ).toBe(true);
    }
    const values = progress.map((p) => p.progress);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] as number);
    expect(values.at(-1)).toBe(100);
  });

  it('keeps every network, with its aliases and fixed address', async () => {
    const front = await docker.createNetwork({
      Name: `${P}front`,
      Driver: 'bridge',
      IPAM: { Config: [{ Subnet: '10.213.7.0/24' }] },
    });
    const back = await docker.createNetwork({ Name: `${P}back`, Driver: 'bridge' });
    try {
      const c = await docker.createContainer({
        name: `${P}net`,
        Image: 'umcp-upd/force:latest',
        Cmd: ['sleep', '3600'],
        HostConfig: { NetworkMode: `${P}front`, Init: true },
        NetworkingConfig: {
          EndpointsConfig: {
            [`${P}front`]: { IPAMConfig: { IPv4Address: '10.213.7.42' }, Aliases: ['web'] },
          },
        },
      });
      await back.connect({ Container: c.id, EndpointConfig: { Aliases: ['api'] } });
      await c.start();
      const { out } = await update(plainClient, { id: `${P}net`, force: true });
      expect(out).toMatchObject({ method: 'recreate', updated: true });
      const nets = (await docker.getContainer(`${P}net`).inspect()).NetworkSettings.Networks;
      expect(Object.keys(nets).sort()).toEqual([`${P}back`, `${P}front`]);
      expect(nets[`${P}front`]).toMatchObject({
        IPAddress: '10.213.7.42',
        IPAMConfig: { IPv4Address: '10.213.7.42' },
      });
      expect(nets[`${P}front`]?.Aliases).toContain('web');
      expect(nets[`${P}back`]?.Aliases).toContain('api');
    } finally {
      await docker
        .getContainer(`${P}net`)
        .remove({ force: true })
        .catch(() => {});
      await front.remove().catch(() => {});
      await back.remove().catch(() => {});
    }
  });

  it('a stopped container is re-created but not started', async () => {
    await container(`${P}stopped`, 'umcp-upd/stopped:latest', { start: false });
    const { out } = await update(plainClient, { id: `${P}stopped`, force: true });
    expect(out).toMatchObject({ method: 'recreate', updated: true, oldContainerRemoved: true });
    const now = await named(`${P}stopped`);
    expect(now).toEqual([{ id: out.containerId, name: `${P}stopped`, state: 'created' }]);
  });
});

describe('rollback: the old container is kept until the new one runs', () => {
  it.each<[string, (c: Docker.ContainerCreateOptions) => Docker.ContainerCreateOptions, RegExp]>([
    [
      'cannot start',
      (c) => ({ ...c, Cmd: ['/no/such/binary'], HostConfig: { ...c.HostConfig, Init: false } }),
      /failed while starting the new container: .*no such file/,
    ],
    [
      'exits right after starting',
      (c) => ({ ...c, Cmd: ['sh', '-c', 'exit 3'] }),
      /failed while starting the new container: it stopped right after starting \(exit code 3\)/,
    ],
  ])(
    'when the new container %s, the old one gets its name back and runs again',
    async (what, breaker, reason) => {
      const name = `${P}rb-${what.split(' ')[0]}`;
      const oldId = await container(name, 'umcp-upd/rb:latest', { env: ['KEEP=1'] });
      breakNew = breaker;
      try {
        const { res } = await update(plainClient, { id: name, force: true });
        expect(res.isError).toBe(true);
        expect(text(res)).toMatch(reason);
        expect(text(res)).toContain(
          `Rolled back: the old container is "${name}" again and running; nothing changed.`,
        );
      } finally {
        breakNew = null;
      }
      expect(await named(name)).toEqual([{ id: oldId, name, state: 'running' }]);
      const outcome = (await readAudit(plain.env.auditDir))
        .filter((r) => r.tool === 'docker_update' && r.stage === 'outcome')
        .at(-1);
      expect(outcome).toMatchObject({
        target: { name },
        result: { status: 'error', code: 'update_rolled_back' },
      });
    },
  );

  it('protected containers are refused before anything happens', async () => {
    const id = await container(`${P}prot-db`, 'umcp-upd/rb:latest');
    const { res } = await update(plainClient, { id: `${P}prot-db`, force: true });
    expect(res.isError).toBe(true);
    expect(text(res)).toMatch(/protected/);
    expect(await named(`${P}prot-db`)).toEqual([{ id, name: `${P}prot-db`, state: 'running' }]);
  });
});

describe('a newer image from a reachable registry', () => {
  it('pulls it with progress, re-creates, lets the new image defaults apply and removes the orphaned old image', async () => {
    reg.push('umcp/app', '1', {
      layers: [busybox, makeLayer({ version: '1' })],
      env: ['PATH=/bin', 'APP_VERSION=1'],
      cmd: ['sleep', '3600'],
    });
    const ref = `${reg.host}/umcp/app:1`;
    await pull(ref);
    const previous = (await docker.getImage(ref).inspect()).Id;
    await container(`${P}app`, ref, { env: ['USER_SETTING=keep'] });
    reg.push('umcp/app', '1', {
      layers: [busybox, makeLayer({ version: '2' })],
      env: ['PATH=/bin', 'APP_VERSION=2'],
      cmd: ['sleep', '3600'],
    });

    const { out, progress } = await update(plainClient, { id: `${P}app` });
    expect(out).toMatchObject({
      method: 'recreate',
      updated: true,
      previousImageId: previous,
      pull: { status: 'downloaded' },
      oldImageRemoved: true,
    });
    expect(out.imageId).not.toBe(previous);
    const info = await docker.getContainer(`${P}app`).inspect();
    expect(info.Image).toBe(out.imageId);
    expect(info.Config.Env).toEqual(expect.arrayContaining(['USER_SETTING=keep', 'APP_VERSION=2']));
    expect(info.Config.Env).not.toContain('APP_VERSION=1');
    await expect(docker.getImage(previous).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(progress[0]?.message).toBe(`Pulling ${ref} from ${reg.host}`);
    expect(
      progress.some((p) => p.progress > 0 && p.progress <= 60 && /layers done/.test(p.message ?? '')),
    ).toBe(true);
  });
});

describe("Unraid's update_container", () => {
  it('is run with the container name as its only argument when the container has a Docker tab template', async () => {
    const ref = `${reg.host}/umcp/unr:1`;
    await pull(ref);
    const oldId = await container(`${P}unraid`, ref);
    const previous = (await docker.getImage(ref).inspect()).Id;
    await writeFile(
      join(templates, `my-${P}unraid.xml`),
      `<?xml version="1.0"?>\n<Container version="2">\n  <Name>${P}unraid</Name>\n  <Repository>${ref}</Repository>\n</Container>\n`,
    );
    reg.push('umcp/unr', '1', { layers: [busybox, makeLayer({ version: '2' })], cmd: ['sleep', '3600'] });

    const { out, progress } = await update(unraidClient, { id: `${P}unraid` });
    expect(out).toMatchObject({
      method: 'unraid_update_container',
      updated: true,
      oldContainerRemoved: true,
      pull: { status: 'downloaded' },
      previousImageId: previous,
    });
    expect(out.imageId).not.toBe(previous);
    expect((await readFile(scriptLog, 'utf8')).trim().split('\n')).toEqual([JSON.stringify([`${P}unraid`])]);
    const now = await named(`${P}unraid`);
    expect(now).toEqual([{ id: out.containerId, name: `${P}unraid`, state: 'running' }]);
    expect(out.containerId).not.toBe(oldId);
    expect(progress.map((p) => p.message)).toContain(`Running Unraid's update_container for "${P}unraid"`);
  });

  it('is not run when the registry cannot be reached (it would need the pull), and nothing changes', async () => {
    const id = await container(`${P}unraid-off`, 'umcp-upd/off:latest');
    await writeFile(
      join(templates, `my-${P}unraid-off.xml`),
      `<?xml version="1.0"?>\n<Container version="2"><Name>${P}unraid-off</Name></Container>\n`,
    );
    const before = await readFile(scriptLog, 'utf8');
    const { res } = await update(unraidClient, { id: `${P}unraid-off`, force: true });
    expect(text(res)).toMatch(/^could not reach registry docker\.io: /);
    expect(await readFile(scriptLog, 'utf8')).toBe(before);
    expect(await named(`${P}unraid-off`)).toEqual([{ id, name: `${P}unraid-off`, state: 'running' }]);
  });

  it('without a template for the container, the re-create path is used', async () => {
    await container(`${P}no-tpl`, 'umcp-upd/off:latest');
    const before = await readFile(scriptLog, 'utf8');
    const { out } = await update(unraidClient, { id: `${P}no-tpl`, force: true });
    expect(out).toMatchObject({ method: 'recreate', updated: true });
    expect(await readFile(scriptLog, 'utf8')).toBe(before);
  });
});
