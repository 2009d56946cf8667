import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, TESTDATA, type TestServer } from '../../helpers/start-server.js';
import { startEmhttpdContract, type EmhttpdContract } from '../../helpers/emhttpd-contract.js';
import { confirmFlow, waitForPending } from '../../helpers/confirm-flow.js';
import { readAudit } from '../../helpers/audit-file.js';
import { testDocker } from '../../helpers/docker.js';
import { createLogger } from '../../../server/log.js';
import { resultData as data, resultText as text, toolCaller } from '../../helpers/tool-calls.js';

/** The unraid toolset is off in a fresh install; these tests switch it on as the owner would. */
const UNRAID_ON = 'TOOLSETS="system,docker,vm,unraid"\n';

/**
 * array_start and array_stop through a real MCP client over HTTP against a real sidecar: emhttpd is the
 * contract server on a real unix socket over copies of the real 7.3.1 var.ini capture (array started)
 * and a real disks.ini (parity, three data disks, an empty parity2 slot, pools); Docker is the suite's
 * dockerd with one running container of ours; libvirt is its test driver (VM "test" running); /proc is
 * a tree of real symlinks, two processes holding files under /mnt. Approvals are decided through the
 * admin API, as the owner would in the WebGUI.
 */
const VAR_INI = join(TESTDATA, 'emhttp', 'unraid-7.3.1', 'var.ini');
const DISKS_INI = join(TESTDATA, 'emhttp', 'parity-check-running', 'disks.ini');
const TOKEN = randomBytes(16).toString('hex').toUpperCase();
const CONTAINER = `umcp-array-${randomBytes(3).toString('hex')}`;
type Data = Record<string, any>;

let emhttpd: EmhttpdContract;
let srv: TestServer;
let client: Client;
let procRoot: string;
const docker = testDocker();
const logLines: string[] = [];

const { call, calls, outputs } = toolCaller(() => client);
const flow = confirmFlow(() => srv, call);
const sent = () => emhttpd.commands.map((c) => c.fields);

/** A procfs tree: real files for the host reader, and pids whose fd links point under /mnt (and elsewhere). */
async function makeProc(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'umcp-proc-'));
  await cp(join(TESTDATA, 'proc'), root, { recursive: true });
  const pids: Array<[number, string, string[]]> = [
    [2113, 'smbd', ['/dev/null', '/mnt/user/media/movies/Heat (1995).mkv', 'socket:[48213]']],
    [3310, 'python3', ['/mnt/disk1/appdata/db.sqlite', '/mnt/disk1/appdata/db.sqlite-wal', 'pipe:[1]']],
    [4000, 'bash', ['/dev/pts/0', '/var/log/syslog', '/mntx/not-this']],
  ];
  for (const [pid, comm, targets] of pids) {
    await mkdir(join(root, String(pid), 'fd'), { recursive: true });
    await writeFile(join(root, String(pid), 'comm'), `${comm}\n`);
    for (const [i, t] of targets.entries()) await symlink(t, join(root, String(pid), 'fd', String(i)));
  }
  // A process whose descriptors cannot be listed (it exited meanwhile): skipped.
  await mkdir(join(root, '4100'));
  return root;
}

beforeAll(async () => {
  emhttpd = await startEmhttpdContract(VAR_INI, TOKEN, { disksIni: DISKS_INI });
  procRoot = await makeProc();
  await docker.createContainer(CONTAINER, {}, true);
  srv = await startTestServer({
    emhttpRoot: emhttpd.emhttpRoot,
    procRoot,
    settingsCfg: UNRAID_ON,
    tokens: [{ name: 'operator', scope: 'operate' }],
    log: createLogger('debug', (line) => logLines.push(line)),
    env: {
      UNRAID_MCP_EMHTTPD_SOCKET: emhttpd.socketPath,
      UNRAID_MCP_ARRAY_COMMAND_TIMEOUT: '2',
      DOCKER_HOST: `unix://${inject('dockerSocket')}`,
    },
  });
  client = await srv.connect('operator');
}, 60_000);
afterAll(async () => {
  await srv.close();
  await emhttpd.close();
  await docker.cleanup();
  await rm(procRoot, { recursive: true, force: true });
});
beforeEach(() => {
  emhttpd.mode = { kind: 'normal' };
});

/** Runs `body` with var.ini / disks.ini keys changed, then puts them back. */
async function withState(
  vars: Record<string, string>,
  disks: Array<[string, string, string]>,
  body: () => Promise<void>,
): Promise<void> {
  const oldVars = Object.fromEntries(
    await Promise.all(Object.keys(vars).map(async (k) => [k, (await emhttpd.readVar(k)) ?? null] as const)),
  );
  const oldDisks = await Promise.all(
    disks.map(async ([s, k]) => [s, k, (await emhttpd.readDiskVar(s, k)) ?? ''] as const),
  );
  for (const [k, v] of Object.entries(vars)) await emhttpd.setVar(k, v);
  for (const [s, k, v] of disks) await emhttpd.setDiskVar(s, k, v);
  try {
    await body();
  } finally {
    for (const [k, v] of Object.entries(oldVars)) await emhttpd.setVar(k, v);
    for (const [s, k, v] of oldDisks) await emhttpd.setDiskVar(s, k, v);
  }
}

describe('array_stop and array_start against the emhttpd contract', () => {
  it('lists both tools for an operate token', async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['array_start', 'array_stop']));
  });

  it('refuses to start an array that is started, before anyone is asked, sending nothing', async () => {
    const res = await call('array_start');
    expect(res.isError).toBe(true);
    expect(text(res)).toBe('The array is already started. Nothing was sent.');
    expect(res._meta?.['unraid-mcp/confirmation']).toBeUndefined();
    expect(emhttpd.commands).toHaveLength(0);
  });

  it('array_stop: the approval names the containers, VMs, the parity check and the open files; the Main page form is posted and the stop read back', async () => {
    await emhttpd.setVar('mdResync', '15625879500');
    await emhttpd.setVar('mdResyncPos', '7812939750');
    await emhttpd.setVar('mdResyncDt', '5');
    await emhttpd.setVar('mdResyncDb', '1005440');
    const { description, res } = await flow.withApproval('array_stop', {});
    expect(description).toMatch(/^Stop the array: shares and disks go offline until it is started again\./);
    expect(description).toMatch(
      new RegExp(`It stops \\d+ running container\\(s\\): [^.]*\\b${CONTAINER}\\b`),
    );
    expect(description).toMatch(/It shuts down 1 running VM\(s\): test\./);
    expect(description).toContain('(running at 50%) is cancelled');
    expect(description).toContain(
      'Files are open under /mnt — the disks cannot unmount while these processes hold them, and the stop keeps retrying until they let go: ' +
        'smbd (pid 2113, 1 file(s), e.g. /mnt/user/media/movies/Heat (1995).mkv); ' +
        'python3 (pid 3310, 2 file(s), e.g. /mnt/disk1/appdata/db.sqlite, /mnt/disk1/appdata/db.sqlite-wal).',
    );
    expect(description).not.toMatch(/bash|mntx|syslog/);
    expect(emhttpd.commands).toHaveLength(1);
    expect(emhttpd.commands[0]).toMatchObject({
      method: 'POST',
      path: '/update',
      contentType: 'application/x-www-form-urlencoded',
      answer: 'ok',
    });
    expect(sent()[0]).toEqual([
      ['startState', 'STARTED'],
      ['file', ''],
      ['cmdStop', 'Stop'],
      ['csrf_token', TOKEN],
    ]);
    expect(res.isError).toBeFalsy();
    expect(data(res)).toEqual({
      changed: true,
      command: 'cmdStop',
      confirmed: true,
      message: 'Stopped. The array is stopped (mdState STOPPED).',
      state: {
        fsState: 'Stopped',
        mdState: 'STOPPED',
        description: 'The array is stopped (mdState STOPPED).',
      },
    });
    expect(await emhttpd.readVar('fsState')).toBe('Stopped');
    expect(await emhttpd.readVar('mdResyncPos')).toBe('0');
  });

  it('refuses to stop a stopped array, sending nothing', async () => {
    const res = await call('array_stop');
    expect(text(res)).toBe('The array is already stopped. Nothing was sent.');
    expect(emhttpd.commands).toHaveLength(1);
  });

  it('array_start: approved, posts startState, file and cmdStart, and reads the array back as started', async () => {
    const { description, res } = await flow.withApproval('array_start', {});
    expect(description).toBe('Start the array. Docker containers and VMs set to autostart start with it.');
    expect(sent()[1]).toEqual([
      ['startState', 'STOPPED'],
      ['file', ''],
      ['cmdStart', 'Start'],
      ['csrf_token', TOKEN],
    ]);
    expect(data(res)).toMatchObject({
      command: 'cmdStart',
      confirmed: true,
      message: 'Started. The array is started (mdState STARTED).',
      state: { fsState: 'Started', mdState: 'STARTED' },
    });
    expect(await emhttpd.readVar('mdColor')).toBe('green-on');
  });

  it('an owner who denies the stop: nothing is sent', async () => {
    const before = emhttpd.commands.length;
    const { res } = await flow.withApproval('array_stop', {}, () => true, 'deny');
    expect(res.isError).toBe(true);
    expect(emhttpd.commands).toHaveLength(before);
    expect(await emhttpd.readVar('fsState')).toBe('Started');
  });

  it('refuses to stop while the array is still starting, sending nothing', async () => {
    await withState({ fsState: 'Starting' }, [], async () => {
      const res = await call('array_stop');
      expect(text(res)).toMatch(
        /^The array is starting \(var\.ini fsState "Starting"\); it can be stopped once it has started/,
      );
      expect(emhttpd.commands).toHaveLength(2);
    });
  });
});

describe('array_start refusals on a stopped array (nothing sent, nobody asked)', () => {
  beforeAll(async () => {
    await flow.withApproval('array_stop', {});
    expect(await emhttpd.readVar('fsState')).toBe('Stopped');
  });

  const refused = async (args: Record<string, unknown>, why: RegExp | string) => {
    const before = emhttpd.commands.length;
    const res = await call('array_start', args);
    expect(res.isError).toBe(true);
    if (typeof why === 'string') expect(text(res)).toBe(why);
    else expect(text(res)).toMatch(why);
    expect(res._meta?.['unraid-mcp/confirmation']).toBeUndefined();
    expect(emhttpd.commands).toHaveLength(before);
  };

  it('a disabled data disk: refused without accept_missing_disks, naming the disk', async () => {
    await withState({}, [['disk2', 'status', 'DISK_DSBL']], () =>
      refused(
        {},
        'Array disks are missing or not valid: disk2 (DISK_DSBL: disabled — emulated from parity). Starting would run ' +
          'the array without them (their contents emulated from parity where it can, unprotected meanwhile). Only if ' +
          'the owner wants exactly that, call again with accept_missing_disks: true; the approval will name these disks. Nothing was sent.',
      ),
    );
  });

  it('a registration problem (configValid "ineligible", as in the real 6.11 capture)', async () => {
    await withState({ configValid: 'ineligible' }, [], () =>
      refused(
        {},
        'Unraid will not start the array: the registration key is not eligible to run this Unraid version. See Tools → Registration in the WebGUI. Nothing was sent.',
      ),
    );
  });

  it('a start that would change disk assignments: new array, replacement disk, parity swap', async () => {
    for (const md of ['NEW_ARRAY', 'RECON_DISK', 'SWAP_DSBL'])
      await withState({ mdState: md }, [], () =>
        refused(
          { accept_missing_disks: true },
          new RegExp(`\\(mdState ${md}\\)\\. unraid-mcp never changes disk assignments`),
        ),
      );
  });

  it('an error state emhttpd reports', async () => {
    await withState({ mdState: 'ERROR:TOO_MANY_MISSING_DISKS' }, [], () =>
      refused({}, /^Unraid will not start the array: too many disks are wrong or missing\./),
    );
  });

  it('an encrypted disk without its key, and a missing pool device', async () => {
    await withState({}, [['disk1', 'luksState', '2']], () =>
      refused(
        {},
        /^Encrypted devices are locked \(disk1 \(DISK_OK: healthy\)\); the array starts once the passphrase/,
      ),
    );
    await withState({}, [['cache2', 'status', 'DISK_NP_MISSING']], () =>
      refused(
        { accept_missing_disks: true },
        /^Pool devices are missing \(cache2 \(DISK_NP_MISSING: missing/,
      ),
    );
  });

  it('an array still stopping', async () => {
    await withState({ fsState: 'Stopping' }, [], () =>
      refused({}, /^The array is stopping \(var\.ini fsState "Stopping"\); wait until it has settled/),
    );
  });
});

describe('array_start with what the owner approves', () => {
  it('accept_missing_disks: the approval names the missing disk, and the form ticks "Yes, I want to do this"', async () => {
    await withState({ mdState: 'DISABLE_DISK' }, [['disk3', 'status', 'DISK_NP_DSBL']], async () => {
      const { description, res } = await flow.withApproval('array_start', { accept_missing_disks: true });
      expect(description).toBe(
        'Start the array. ACCEPTING MISSING DISKS: it starts without disk3 (DISK_NP_DSBL: disabled — device missing, ' +
          'contents emulated from parity); their contents are emulated from parity where parity allows, and the array ' +
          'is unprotected until they are replaced. Docker containers and VMs set to autostart start with it.',
      );
      expect(sent().at(-1)).toEqual([
        ['startState', 'DISABLE_DISK'],
        ['file', ''],
        ['confirmStart', 'OFF'],
        ['cmdStart', 'Start'],
        ['csrf_token', TOKEN],
      ]);
      expect(data(res)).toMatchObject({ confirmed: true, state: { fsState: 'Started', mdState: 'STARTED' } });
    });
    await flow.withApproval('array_stop', {});
  });

  it('after an unclean shutdown: the approval says a correcting check starts, and optionCorrect is sent', async () => {
    await withState({ sbClean: 'no' }, [], async () => {
      const { description } = await flow.withApproval('array_start', {});
      expect(description).toBe(
        'Start the array. The start also begins a correcting parity check (an unclean shutdown was detected; the WebGUI ' +
          'starts one, correcting by default). Docker containers and VMs set to autostart start with it.',
      );
      expect(sent().at(-1)).toEqual([
        ['startState', 'STOPPED'],
        ['file', ''],
        ['optionCorrect', 'correct'],
        ['cmdStart', 'Start'],
        ['csrf_token', TOKEN],
      ]);
    });
    await flow.withApproval('array_stop', {});
  });
});

describe('emhttpd failing', () => {
  it('while emhttpd has not answered, a client that asked for progress hears what var.ini shows', async () => {
    emhttpd.mode = { kind: 'hang' };
    const heard: string[] = [];
    calls.set('array_start', (calls.get('array_start') ?? 0) + 1);
    const pending = client.callTool({ name: 'array_start', arguments: {} }, undefined, {
      onprogress: (p) => heard.push(p.message ?? ''),
    }) as Promise<CallToolResult>;
    const found = await waitForPending(srv, (c) => c.tool === 'array_start', 'array_start');
    expect((await srv.admin('POST', `/api/confirmations/${found.id}/approve`, {})).status).toBe(200);
    const res = await pending;
    expect(text(res)).toMatch(/^emhttpd did not answer within 2 s/);
    expect(heard.length).toBeGreaterThanOrEqual(2);
    expect(heard).toContain('Waiting for emhttpd. The array is stopped (mdState STOPPED).');
  }, 30_000);

  it('an error answer reaches the client; the state is unchanged', async () => {
    emhttpd.mode = { kind: 'error', status: 200, body: 'Error: array busy\n' };
    const { res } = await flow.withApproval('array_start', {});
    expect(text(res)).toBe('emhttpd did not carry out the command: Error: array busy');
    expect(await emhttpd.readVar('fsState')).toBe('Stopped');
  });

  it('a hung emhttpd is given up on after the array timeout (2 s here), with a plain message; the process stays up', async () => {
    emhttpd.mode = { kind: 'hang' };
    const t0 = Date.now();
    const first = flow.withApproval('array_start', {});
    while (emhttpd.commands.at(-1)?.answer !== 'hang') await new Promise((r) => setTimeout(r, 20));
    const sentSoFar = emhttpd.commands.length;
    // A second start while the first waits for emhttpd is refused, not queued behind it.
    const second = await flow.withApproval('array_start', {});
    expect(text(second.res)).toBe(
      "Another array start or stop (cmdStart) is still waiting for emhttpd's answer. Nothing was sent.",
    );
    expect(emhttpd.commands).toHaveLength(sentSoFar);
    const { res } = await first;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(text(res)).toMatch(/^emhttpd did not answer within 2 s; it may be busy/);
    expect(emhttpd.commands.at(-1)?.answer).toBe('hang');
    emhttpd.mode = { kind: 'normal' };
    expect((await call('plugins_list')).isError).toBeFalsy();
  }, 30_000);
});

describe('records and secrets', () => {
  it('writes an intent and an outcome record for every call', async () => {
    const records = await readAudit(srv.env.auditDir);
    for (const tool of calls.keys()) {
      const intents = records.filter((r) => r.stage === 'intent' && r.tool === tool);
      const outcomes = records.filter((r) => r.stage === 'outcome' && r.tool === tool);
      expect(outcomes, tool).toHaveLength(calls.get(tool)!);
      for (const o of outcomes)
        expect(
          intents.map((i) => i.id),
          tool,
        ).toContain(o.intent);
    }
    const stops = records.filter((r) => r.stage === 'outcome' && r.tool === 'array_stop');
    expect(stops.map((r) => (r as Data).result.status)).toContain('ok');
    expect(stops.map((r) => (r as Data).result.message)).toContain(
      'The array is already stopped. Nothing was sent.',
    );
  });

  it('the csrf_token appears in no tool output, no log line and no audit file', async () => {
    expect(outputs.length).toBeGreaterThan(15);
    expect(outputs.join('\n')).not.toContain(TOKEN);
    expect(logLines.join('\n')).not.toContain(TOKEN);
    for (const f of await readdir(srv.env.auditDir))
      expect(await readFile(join(srv.env.auditDir, f), 'utf8'), f).not.toContain(TOKEN);
  });
});

describe('other servers', () => {
  it('the real 6.11 capture (stopped, registration ineligible) is refused for its registration', async () => {
    const contract = await startEmhttpdContract(join(TESTDATA, 'emhttp', 'unraid-6.11', 'var.ini'), TOKEN, {
      disksIni: join(TESTDATA, 'emhttp', 'unraid-6.11', 'disks.ini'),
    });
    const lone = await startTestServer({
      emhttpRoot: contract.emhttpRoot,
      settingsCfg: UNRAID_ON,
      env: { UNRAID_MCP_EMHTTPD_SOCKET: contract.socketPath },
    });
    try {
      const c = await lone.connect();
      const res = (await c.callTool({ name: 'array_start', arguments: {} })) as CallToolResult;
      expect(text(res)).toMatch(/^Unraid will not start the array: the registration key is not eligible/);
      expect(contract.commands).toHaveLength(0);
    } finally {
      await lone.close();
      await contract.close();
    }
  });

  it('a missing emhttpd socket: "emhttpd is not running", nothing else tried', async () => {
    const contract = await startEmhttpdContract(VAR_INI, TOKEN, { disksIni: DISKS_INI });
    const lone = await startTestServer({
      emhttpRoot: contract.emhttpRoot,
      settingsCfg: UNRAID_ON,
      env: { UNRAID_MCP_EMHTTPD_SOCKET: join(contract.emhttpRoot, 'no-such.socket') },
    });
    try {
      const c = await lone.connect();
      const call1 = (name: string, args: Record<string, unknown>) =>
        c.callTool({ name, arguments: args }) as Promise<CallToolResult>;
      const { res } = await confirmFlow(() => lone, call1).withApproval('array_stop', {});
      expect(text(res)).toMatch(/^emhttpd is not running \(its socket is missing or refuses connections\)/);
      expect(text(res)).not.toContain(contract.emhttpRoot);
      expect(contract.commands).toHaveLength(0);
    } finally {
      await lone.close();
      await contract.close();
    }
  });
});
