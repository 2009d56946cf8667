import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';
import { confirmFlow } from '../../helpers/confirm-flow.js';
import { toolsOf } from '../../helpers/test-tools.js';

/**
 * Container lifecycle tools end to end: SDK client → real HTTP → wrapper (resolution, protection,
 * confirmation, audit) → the suite's real dockerd. Every effect is checked through dockerode.
 */
const td = testDocker();
const ids: Record<string, string> = {};
const volumes: string[] = [];
let srv: TestServer;
let client: Client;

const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const call = async (name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args }, undefined, { timeout: 30_000 })) as CallToolResult;
const inspect = (name: string) => td.docker.getContainer(ids[name] as string).inspect();
const stateOf = async (name: string) => (await inspect(name)).State.Status;
const short = (name: string) => (ids[name] as string).slice(0, 12);

const { withToken, withApproval: approveCall } = confirmFlow(() => srv, call);
/** `approve` mode for the container named `target`. */
const withApproval = (name: string, args: Record<string, unknown>, target: string) =>
  approveCall(name, args, (c) => c.target?.name === target);

beforeAll(async () => {
  for (const name of ['lc-web', 'lc-db', 'lc-cache', 'lc-gone', 'lc-force'])
    ids[name] = await td.createContainer(name);
  ids['lc-prot'] = await td.createContainer('lc-prot', { 'unraid-mcp.protected': 'true' });
  for (const name of ['lc-vol-keep', 'lc-vol-drop']) {
    const c = await td.docker.createContainer({
      name,
      Image: inject('testImage'),
      Cmd: ['sleep', '3600'],
      Volumes: { '/data': {} },
      HostConfig: { NetworkMode: 'none', Init: true },
    });
    ids[name] = c.id;
    volumes.push(...(await c.inspect()).Mounts.map((m) => m.Name as string));
  }
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
    ['lc-vol-keep', 'lc-vol-drop'].map((n) =>
      td.docker
        .getContainer(ids[n] as string)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  await td.cleanup();
  await Promise.all(
    volumes.map((v) =>
      td.docker
        .getVolume(v)
        .remove()
        .catch(() => {}),
    ),
  );
});

describe('docker_start', () => {
  it('starts a created container, needs no confirmation, and reads the new state back', async () => {
    const res = await call('docker_start', { id: 'lc-web' });
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toEqual({
      name: 'lc-web',
      id: ids['lc-web'],
      previousState: 'created',
      state: 'running',
      changed: true,
      message: 'Container "lc-web" started; it is running.',
    });
    expect(await stateOf('lc-web')).toBe('running');
  });

  it('starting a running container is not an error: changed false, nothing done', async () => {
    const startedAt = (await inspect('lc-web')).State.StartedAt;
    const res = await call('docker_start', { id: short('lc-web') });
    expect(res.structuredContent).toMatchObject({
      name: 'lc-web',
      state: 'running',
      changed: false,
      message: 'Container "lc-web" is already running; nothing was done.',
    });
    expect((await inspect('lc-web')).State.StartedAt).toBe(startedAt);
  });

  it('may start a protected container', async () => {
    const res = await call('docker_start', { id: 'lc-prot' });
    expect(res.structuredContent).toMatchObject({ name: 'lc-prot', state: 'running', changed: true });
    expect(await stateOf('lc-prot')).toBe('running');
  });
});

describe('docker_stop (token confirmation)', () => {
  it('the first call describes the stop and does nothing; the token stops it', async () => {
    const { first, res } = await withToken('docker_stop', { id: 'lc-web', timeout: 5 });
    expect(text(first)).toMatch(
      new RegExp(
        `^Confirmation needed — nothing was done yet\\. This call would: Stop container "lc-web" \\(${short('lc-web')}\\): SIGTERM \\(or the image's stop signal\\), then SIGKILL after 5 s\\.\n`,
      ),
    );
    expect(res.structuredContent).toMatchObject({
      name: 'lc-web',
      previousState: 'running',
      state: 'exited',
      changed: true,
    });
    expect(text(res)).toMatch(/Container \\"lc-web\\" stopped; it is exited \(exit code \d+\)\./);
    const after = await inspect('lc-web');
    expect(after.State.Running).toBe(false);
    expect(after.State.Status).toBe('exited');
  });

  it('between the two calls nothing happens: the container keeps running until the token comes back', async () => {
    await call('docker_start', { id: 'lc-db' });
    const first = await call('docker_stop', { id: 'lc-db' });
    expect(text(first)).toContain('then SIGKILL after 10 s.');
    expect(await stateOf('lc-db')).toBe('running');
  });

  it('stopping a stopped container is not an error: changed false', async () => {
    const { res } = await withToken('docker_stop', { id: 'lc-web' });
    expect(res.structuredContent).toMatchObject({ name: 'lc-web', state: 'exited', changed: false });
    expect((res.structuredContent as { message: string }).message).toMatch(
      /^Container "lc-web" is already stopped \(exited \(exit code \d+\)\); nothing was done\.$/,
    );
  });

  it('refuses a protected container before any confirmation, and leaves it running', async () => {
    const res = await call('docker_stop', { id: 'lc-prot' });
    expect(res._meta?.['unraid-mcp/confirmation']).toBeUndefined();
    expect(text(res)).toBe(
      'container "lc-prot" is protected (label unraid-mcp.protected=true): unraid-mcp will not stop, restart, pause, update or remove it.',
    );
    expect(await stateOf('lc-prot')).toBe('running');
  });
});

describe('docker_restart (token confirmation)', () => {
  it('restarts a running container: stopped and started again', async () => {
    const before = (await inspect('lc-db')).State.StartedAt;
    const { first, res } = await withToken('docker_restart', { id: 'lc-db', timeout: 3 });
    expect(text(first)).toContain(
      `This call would: Restart container "lc-db" (${short('lc-db')}): if it is running, SIGTERM (or the image's stop signal), then SIGKILL after 3 s; then start it again.`,
    );
    expect(res.structuredContent).toMatchObject({
      name: 'lc-db',
      previousState: 'running',
      state: 'running',
      changed: true,
      message: 'Container "lc-db" restarted; it is running.',
    });
    const after = await inspect('lc-db');
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).not.toBe(before);
  });

  it('refuses a protected container', async () => {
    const startedAt = (await inspect('lc-prot')).State.StartedAt;
    const res = await call('docker_restart', { id: 'lc-prot' });
    expect(text(res)).toMatch(/^container "lc-prot" is protected/);
    expect((await inspect('lc-prot')).State.StartedAt).toBe(startedAt);
  });
});

describe('docker_pause and docker_unpause', () => {
  it('pause freezes a running container; pausing again changes nothing', async () => {
    const res = await call('docker_pause', { id: 'lc-db' });
    expect(res.structuredContent).toMatchObject({
      name: 'lc-db',
      previousState: 'running',
      state: 'paused',
      changed: true,
      message: 'Container "lc-db" paused; it is paused.',
    });
    expect((await inspect('lc-db')).State.Paused).toBe(true);
    const again = await call('docker_pause', { id: 'lc-db' });
    expect(again.structuredContent).toMatchObject({
      state: 'paused',
      changed: false,
      message: 'Container "lc-db" is already paused; nothing was done.',
    });
  });

  it('a paused container is not started: docker_start points to docker_unpause', async () => {
    const res = await call('docker_start', { id: 'lc-db' });
    expect(res.isError).toBe(true);
    expect(text(res)).toBe('Container "lc-db" is paused, not stopped: resume it with docker_unpause.');
    expect(await stateOf('lc-db')).toBe('paused');
  });

  it('unpause resumes it; unpausing a running container changes nothing', async () => {
    const res = await call('docker_unpause', { id: 'lc-db' });
    expect(res.structuredContent).toMatchObject({
      name: 'lc-db',
      previousState: 'paused',
      state: 'running',
      changed: true,
    });
    expect((await inspect('lc-db')).State.Paused).toBe(false);
    const again = await call('docker_unpause', { id: 'lc-db' });
    expect(again.structuredContent).toMatchObject({
      state: 'running',
      changed: false,
      message: 'Container "lc-db" is not paused (running); nothing was done.',
    });
  });

  it('pausing a container that is not running is a conflict naming its state', async () => {
    const res = await call('docker_pause', { id: 'lc-cache' });
    expect(res.isError).toBe(true);
    expect(text(res)).toBe(
      'Container "lc-cache" is not running (created); only a running container can be paused.',
    );
    expect(await stateOf('lc-cache')).toBe('created');
  });

  it('refuses to pause a protected container', async () => {
    const res = await call('docker_pause', { id: ids['lc-prot'] });
    expect(text(res)).toMatch(/^container "lc-prot" is protected/);
    expect(await stateOf('lc-prot')).toBe('running');
  });
});

describe('docker_remove (owner approval)', () => {
  it('describes the removal from its arguments and removes a stopped container once approved', async () => {
    const { description, res } = await withApproval('docker_remove', { id: 'lc-gone' }, 'lc-gone');
    expect(description).toBe(
      `Remove container "lc-gone" (${short('lc-gone')}) and its writable layer — refused if it is running or paused (force is off); its anonymous volumes are kept.`,
    );
    expect(res.structuredContent).toEqual({
      name: 'lc-gone',
      id: ids['lc-gone'],
      previousState: 'created',
      state: 'removed',
      changed: true,
      message: 'Container "lc-gone" removed; its anonymous volumes were kept.',
    });
    await expect(inspect('lc-gone')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('refuses a running container without force, telling to stop it or use force; it keeps running', async () => {
    await call('docker_start', { id: 'lc-force' });
    const { res } = await withApproval('docker_remove', { id: 'lc-force' }, 'lc-force');
    expect(res.isError).toBe(true);
    expect(text(res)).toBe(
      'Container "lc-force" is running; nothing was done. Stop it first with docker_stop (a graceful stop), or call docker_remove with force: true to kill and remove it.',
    );
    expect(await stateOf('lc-force')).toBe('running');
  });

  it('with force kills and removes a running container', async () => {
    const { description, res } = await withApproval(
      'docker_remove',
      { id: 'lc-force', force: true },
      'lc-force',
    );
    expect(description).toContain(
      '— if it is running, it is killed first (SIGKILL, no graceful stop); its anonymous volumes are kept.',
    );
    expect(res.structuredContent).toMatchObject({
      previousState: 'running',
      state: 'removed',
      changed: true,
      message: 'Container "lc-force" removed; its anonymous volumes were kept. It was killed first (force).',
    });
    await expect(inspect('lc-force')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('keeps anonymous volumes unless asked, and deletes them when asked', async () => {
    const volumeOf = async (name: string) => (await inspect(name)).Mounts[0]?.Name as string;
    const kept = await volumeOf('lc-vol-keep');
    const dropped = await volumeOf('lc-vol-drop');
    await withApproval('docker_remove', { id: 'lc-vol-keep' }, 'lc-vol-keep');
    const { description, res } = await withApproval(
      'docker_remove',
      { id: 'lc-vol-drop', volumes: true },
      'lc-vol-drop',
    );
    expect(description).toContain(
      'its anonymous volumes are deleted too (named volumes and bind mounts are kept)',
    );
    expect((res.structuredContent as { message: string }).message).toBe(
      'Container "lc-vol-drop" removed; its anonymous volumes were deleted too.',
    );
    expect((await td.docker.getVolume(kept).inspect()).Name).toBe(kept);
    await expect(td.docker.getVolume(dropped).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('refuses a protected container before asking the owner', async () => {
    const res = await call('docker_remove', { id: 'lc-prot', force: true });
    expect(text(res)).toMatch(/^container "lc-prot" is protected/);
    const pending = (await srv.admin('GET', '/api/confirmations')).json.confirmations as Array<{
      target: { name: string } | null;
    }>;
    expect(pending.some((c) => c.target?.name === 'lc-prot')).toBe(false);
    expect(await stateOf('lc-prot')).toBe('running');
  });
});

describe('audit', () => {
  it('records each action with its resolved target and confirmation, and each refusal with its rule', async () => {
    const records = await readAudit(srv.env.auditDir);
    const outcome = (tool: string, name: string) =>
      records.filter(
        (r) =>
          r.stage === 'outcome' && r.tool === tool && (r.target as { name?: string } | null)?.name === name,
      );
    const [issued, confirmed] = outcome('docker_stop', 'lc-web');
    expect(issued).toMatchObject({
      confirmation: { mode: 'token', outcome: 'token_issued' },
      result: { status: 'error', code: 'confirmation' },
    });
    expect(confirmed).toMatchObject({
      target: { kind: 'container', ref: 'lc-web', id: ids['lc-web'], name: 'lc-web' },
      decision: { allowed: true },
      confirmation: { mode: 'token', outcome: 'token_confirmed' },
      result: { status: 'ok' },
    });
    expect(outcome('docker_remove', 'lc-gone').at(-1)).toMatchObject({
      confirmation: { mode: 'approve' },
      result: { status: 'ok' },
    });
    expect(outcome('docker_start', 'lc-web')[0]).toMatchObject({
      confirmation: { mode: 'none', outcome: 'not_required' },
      result: { status: 'ok' },
    });
    for (const tool of ['docker_stop', 'docker_restart', 'docker_pause', 'docker_remove']) {
      expect(outcome(tool, 'lc-prot')).toContainEqual(
        expect.objectContaining({
          decision: { allowed: false, rule: 'protected:label' },
          result: expect.objectContaining({ status: 'error', code: 'policy_denied' }),
        }),
      );
    }
    expect(outcome('docker_pause', 'lc-cache')[0]).toMatchObject({
      result: { status: 'error', code: 'conflict' },
    });
  });
});
