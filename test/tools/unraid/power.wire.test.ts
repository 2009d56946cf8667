import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, TESTDATA, type TestServer } from '../../helpers/start-server.js';
import { confirmFlow } from '../../helpers/confirm-flow.js';
import { readAudit } from '../../helpers/audit-file.js';
import { resultData as data, resultText as text, toolCaller } from '../../helpers/tool-calls.js';

/** The unraid toolset is off in a fresh install; these tests switch it on as the owner would. */
const UNRAID_ON = 'TOOLSETS="system,docker,vm,unraid"\n';

/**
 * system_reboot and system_shutdown through a real MCP client over HTTP against a real sidecar, with
 * Unraid's /sbin/reboot and /sbin/poweroff replaced by scripts that record how they were run. The power
 * switch is the owner's setting, changed through the admin API as the WebGUI's Settings view does.
 */
type Data = Record<string, any>;

let srv: TestServer;
let admin: Client;
let operator: Client;
let root: string;
const record = (which: string) => join(root, `${which}-argv`);

const { call, calls } = toolCaller(() => admin);
const flow = confirmFlow(
  () => srv,
  (n, a) => call(n, a),
);

async function recorder(which: string): Promise<string> {
  const path = join(root, which);
  await writeFile(
    path,
    `#!/bin/sh\nprintf '%s\\n' "$0" "$@" > '${record(which)}.tmp'\nmv '${record(which)}.tmp' '${record(which)}'\n`,
  );
  await chmod(path, 0o755);
  return path;
}

async function waitFor(path: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    if (existsSync(path)) return readFile(path, 'utf8');
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} was never written`);
}

async function setPowerTools(on: boolean): Promise<void> {
  const current = await srv.admin('GET', '/api/settings');
  expect(current.status).toBe(200);
  const res = await srv.admin(
    'PUT',
    '/api/settings',
    { powerTools: on },
    { 'If-Match': `"${current.json.revision}"` },
  );
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  expect((await srv.admin('GET', '/api/settings')).json.settings.powerTools).toBe(on);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'umcp-power-'));
  srv = await startTestServer({
    emhttpRoot: join(TESTDATA, 'emhttp', 'unraid-7.3.2'),
    settingsCfg: UNRAID_ON,
    tokens: [
      { name: 'owner-agent', scope: 'admin' },
      { name: 'operator', scope: 'operate' },
    ],
    env: {
      UNRAID_MCP_REBOOT_COMMAND: await recorder('reboot'),
      UNRAID_MCP_POWEROFF_COMMAND: await recorder('poweroff'),
    },
  });
  admin = await srv.connect('owner-agent');
  operator = await srv.connect('operator');
});
afterAll(async () => {
  await srv.close();
  await rm(root, { recursive: true, force: true });
});

describe('power tools', () => {
  it('are admin tools: not offered to an operate token', async () => {
    const names = (await operator.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('system_reboot');
    expect(names).not.toContain('system_shutdown');
    expect((await admin.listTools()).tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['system_reboot', 'system_shutdown']),
    );
  });

  it('are off by default: refused before anyone is asked, nothing run', async () => {
    expect((await srv.admin('GET', '/api/settings')).json.settings.powerTools).toBe(false);
    for (const tool of ['system_reboot', 'system_shutdown']) {
      const res = await call(tool);
      expect(res.isError, tool).toBe(true);
      expect(text(res)).toMatch(
        /^Power tools are switched off, so unraid-mcp does not (reboot|shut down) the server\. The owner can allow it in Settings → unraid-mcp → Settings \("Allow reboot and shutdown"; POWER_TOOLS="yes" in unraid-mcp\.cfg\)\.$/,
      );
      expect(res._meta?.['unraid-mcp/confirmation']).toBeUndefined();
    }
    expect(existsSync(record('reboot'))).toBe(false);
    expect(existsSync(record('poweroff'))).toBe(false);
  });

  it('switched on: system_reboot asks the owner, then runs the reboot command with exactly -n, detached', async () => {
    await setPowerTools(true);
    expect(await readFile(join(srv.root, 'config', 'unraid-mcp.cfg'), 'utf8')).toMatch(
      /^POWER_TOOLS="yes"$/m,
    );
    const { description, res } = await flow.withApproval('system_reboot', {});
    expect(description).toMatch(/^REBOOT the server now\. Unraid stops the array cleanly first\. /);
    expect(description).toContain('It shuts down 1 running VM(s): test.');
    expect(res.isError).toBeFalsy();
    expect(data(res)).toEqual({
      started: true,
      command: `${join(root, 'reboot')} -n`,
      message:
        'The reboot has begun: Unraid is stopping services and the array cleanly, then restarts. MCP answers again once the server is back.',
    });
    expect((await waitFor(record('reboot'))).split('\n').slice(0, -1)).toEqual([join(root, 'reboot'), '-n']);
    expect(existsSync(record('poweroff'))).toBe(false);
  });

  it('system_shutdown: denied by the owner runs nothing; approved runs the poweroff command with exactly -n', async () => {
    const denied = await flow.withApproval('system_shutdown', {}, () => true, 'deny');
    expect(denied.res.isError).toBe(true);
    expect(existsSync(record('poweroff'))).toBe(false);
    const { description, res } = await flow.withApproval('system_shutdown', {});
    expect(description).toMatch(/^SHUT DOWN the server now; it stays off until someone powers it on\./);
    expect(data(res)).toMatchObject({ started: true, command: `${join(root, 'poweroff')} -n` });
    expect((await waitFor(record('poweroff'))).split('\n').slice(0, -1)).toEqual([
      join(root, 'poweroff'),
      '-n',
    ]);
  });

  it('switched off again: refused at once', async () => {
    await setPowerTools(false);
    const res = await call('system_reboot');
    expect(text(res)).toMatch(/^Power tools are switched off/);
  });

  it('a command that does not exist: a plain message, the process stays up', async () => {
    const lone = await startTestServer({
      settingsCfg: `${UNRAID_ON}POWER_TOOLS="yes"\n`,
      env: { UNRAID_MCP_REBOOT_COMMAND: join(root, 'no-such-reboot') },
    });
    try {
      const c = await lone.connect();
      const { res } = await confirmFlow(
        () => lone,
        (n, a) => c.callTool({ name: n, arguments: a }) as Promise<CallToolResult>,
      ).withApproval('system_reboot', {});
      expect(text(res)).toBe('The reboot command was not found on this server, so nothing was started.');
      expect((await c.callTool({ name: 'plugins_list', arguments: {} })).isError).toBeFalsy();
    } finally {
      await lone.close();
    }
  });

  it('a bad POWER_TOOLS value in unraid-mcp.cfg is a settings problem, not a quiet default', async () => {
    await writeFile(join(srv.root, 'config', 'unraid-mcp.cfg'), `${UNRAID_ON}POWER_TOOLS="maybe"\n`);
    let problems: Array<{ field: string; message: string }> = [];
    for (let i = 0; i < 40 && problems.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      problems = (await srv.admin('GET', '/api/settings')).json.problems;
    }
    expect(problems).toContainEqual(
      expect.objectContaining({ field: 'POWER_TOOLS', message: 'must be "yes" or "no"' }),
    );
    await writeFile(join(srv.root, 'config', 'unraid-mcp.cfg'), UNRAID_ON);
  });

  it('writes an intent and an outcome record for every call', async () => {
    const records = await readAudit(srv.env.auditDir);
    for (const tool of calls.keys()) {
      const outcomes = records.filter((r) => r.stage === 'outcome' && r.tool === tool);
      expect(outcomes, tool).toHaveLength(calls.get(tool)!);
      for (const o of outcomes)
        expect(
          records.filter((r) => r.stage === 'intent' && r.tool === tool).map((i) => i.id),
          tool,
        ).toContain(o.intent);
    }
    const reboots = records.filter((r) => r.stage === 'outcome' && r.tool === 'system_reboot');
    expect(reboots.map((r) => (r as Data).result.status)).toEqual(['error', 'ok', 'error']);
  });
});
