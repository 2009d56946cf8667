import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, TESTDATA, type TestServer } from '../../helpers/start-server.js';
import { startEmhttpdContract, type EmhttpdContract } from '../../helpers/emhttpd-contract.js';
import { confirmFlow } from '../../helpers/confirm-flow.js';
import { connectV2 } from '../../helpers/v2-client.js';
import { readAudit } from '../../helpers/audit-file.js';
import { createLogger } from '../../../server/log.js';
import { resultData as data, resultText as text, toolCaller } from '../../helpers/tool-calls.js';

/** The unraid toolset is off in a fresh install; these tests switch it on as the owner would. */
const UNRAID_ON = 'TOOLSETS="system,docker,vm,unraid"\n';

/**
 * The parity tools through a real MCP client over HTTP, against a real sidecar whose emhttpd is the
 * contract server on a real unix socket, over a copy of the real 7.3.1 var.ini capture (array started,
 * parity valid, no operation). Every assertion on what emhttpd received is on the recorded request.
 */
const FIXTURE = join(TESTDATA, 'emhttp', 'unraid-7.3.1', 'var.ini');
const TOKEN = randomBytes(16).toString('hex').toUpperCase();
type Data = Record<string, any>;

let emhttpd: EmhttpdContract;
let srv: TestServer;
let client: Client;
const logLines: string[] = [];

const { call, calls, outputs } = toolCaller(() => client);
const flow = confirmFlow(() => srv, call);
const sent = () => emhttpd.commands.map((c) => c.fields);

beforeAll(async () => {
  emhttpd = await startEmhttpdContract(FIXTURE, TOKEN);
  srv = await startTestServer({
    emhttpRoot: emhttpd.emhttpRoot,
    settingsCfg: UNRAID_ON,
    tokens: [{ name: 'operator', scope: 'operate' }],
    log: createLogger('debug', (line) => logLines.push(line)),
    env: {
      UNRAID_MCP_EMHTTPD_SOCKET: emhttpd.socketPath,
      UNRAID_MCP_PARITY_LOG: join(TESTDATA, 'unraid', 'parity-checks.log'),
    },
  });
  client = await srv.connect('operator');
});
afterAll(async () => {
  await srv.close();
  await emhttpd.close();
});
beforeEach(() => {
  emhttpd.mode = { kind: 'normal' };
});

describe('parity tools against the emhttpd contract', () => {
  it('lists the five parity tools for an operate token', async () => {
    const names = (await client.listTools()).tools.map((t) => t.name).filter((n) => n.startsWith('parity_'));
    expect(names).toEqual([
      'parity_history',
      'parity_start',
      'parity_pause',
      'parity_resume',
      'parity_cancel',
    ]);
  });

  it('parity_history reads the committed log newest first and counts the skipped lines', async () => {
    const res = await call('parity_history', { limit: 3 });
    expect(res.isError).toBeFalsy();
    expect(JSON.parse(text(res))).toEqual(data(res));
    expect(data(res)).toMatchObject({ skippedLines: 1, more: true });
    expect(data(res).entries.map((e: Data) => [e.date, e.result, e.kind])).toEqual([
      ['2026-11-30 03:12:45', 'cancelled', 'parity_check'],
      ['2025-01-08 10:01:18', 'success', 'parity_check'],
      ['2024-05-05 06:30:00', 'success', 'parity_check'],
    ]);
    expect(data(res).message).toMatch(/1 line\(s\) in an unknown format were skipped/);
  });

  it('parity_history rejects a limit out of range', async () => {
    const res = await call('parity_history', { limit: 0 });
    expect(res.isError).toBe(true);
  });

  it('refuses pause, resume and cancel while nothing runs, sending nothing', async () => {
    for (const [tool, why] of [
      ['parity_pause', /No parity check is running, so there is nothing to pause/],
      ['parity_resume', /No parity check is paused/],
      ['parity_cancel', /nothing to cancel/],
    ] as const) {
      const res = await call(tool);
      expect(res.isError).toBe(true);
      expect(text(res)).toMatch(why);
      expect(res._meta?.['unraid-mcp/confirmation']).toBeUndefined();
    }
    expect(emhttpd.commands).toHaveLength(0);
  });

  it('parity_start (correcting) asks for a token, then posts the WebGUI form fields and reads the check back as running', async () => {
    const { first, res } = await flow.withToken('parity_start', { correct: true });
    expect(text(first)).toMatch(/correcting parity check/i);
    expect(emhttpd.commands).toHaveLength(1);
    const [cmd] = emhttpd.commands;
    expect(cmd).toMatchObject({
      method: 'POST',
      path: '/update',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(cmd!.fields).toEqual([
      ['startState', 'STARTED'],
      ['cmdCheck', 'Check'],
      ['optionCorrect', 'correct'],
      ['csrf_token', TOKEN],
    ]);
    expect(cmd!.answer).toBe('ok');
    expect(res.isError).toBeFalsy();
    expect(data(res)).toMatchObject({
      changed: true,
      command: 'cmdCheck',
      confirmed: true,
      state: {
        status: 'running',
        kind: 'parity_check',
        correcting: true,
        errorsSoFar: 0,
        positionBytes: Math.floor(15625879500 * 0.005) * 1024,
        percent: 0.5,
      },
    });
    expect(data(res).message).toMatch(/^Correcting parity check started\./);
  });

  it('refuses a second start while the check runs, before any confirmation, sending nothing', async () => {
    const res = await call('parity_start', { correct: false });
    expect(res.isError).toBe(true);
    expect(text(res)).toMatch(/already running/);
    expect(res._meta?.['unraid-mcp/confirmation']).toBeUndefined();
    expect(emhttpd.commands).toHaveLength(1);
  });

  it('refuses resume while running, sending nothing', async () => {
    const res = await call('parity_resume');
    expect(text(res)).toMatch(/is running, not paused/);
    expect(emhttpd.commands).toHaveLength(1);
  });

  it('parity_pause posts cmdCheckPause and reads the check back as paused (mdResyncDt 0)', async () => {
    const res = await call('parity_pause');
    expect(res.isError).toBeFalsy();
    expect(sent()[1]).toEqual([
      ['startState', 'STARTED'],
      ['cmdCheckPause', ''],
      ['csrf_token', TOKEN],
    ]);
    expect(await emhttpd.readVar('mdResyncDt')).toBe('0');
    expect(data(res).state.description).toBe(
      'Parity check — writing corrections to parity: paused at 0.5%, 0 sync errors so far.',
    );
    expect(data(res).message).toBe(`Paused. ${data(res).state.description}`);
    expect(data(res)).toMatchObject({
      command: 'cmdCheckPause',
      confirmed: true,
      state: { status: 'paused', correcting: true },
    });
  });

  it('refuses a second pause, sending nothing', async () => {
    const res = await call('parity_pause');
    expect(text(res)).toMatch(/already paused; use parity_resume/);
    expect(emhttpd.commands).toHaveLength(2);
  });

  it('parity_resume posts cmdCheckResume and reads the check back as running', async () => {
    const res = await call('parity_resume');
    expect(sent()[2]).toEqual([
      ['startState', 'STARTED'],
      ['cmdCheckResume', ''],
      ['csrf_token', TOKEN],
    ]);
    expect(data(res)).toMatchObject({
      command: 'cmdCheckResume',
      confirmed: true,
      state: { status: 'running' },
    });
  });

  it('parity_cancel asks for a token naming the check, then posts cmdCheckCancel and reads it back as stopped', async () => {
    const { first, res } = await flow.withToken('parity_cancel', {});
    expect(text(first)).toMatch(/Cancel the parity check — writing corrections to parity \(running at/);
    expect(sent()[3]).toEqual([
      ['startState', 'STARTED'],
      ['cmdCheckCancel', ''],
      ['csrf_token', TOKEN],
    ]);
    expect(data(res)).toMatchObject({
      command: 'cmdCheckCancel',
      confirmed: true,
      state: { status: 'stopped', kind: null, percent: null },
    });
  });

  it('parity_start (read-only) sends no optionCorrect and reads back a non-correcting check; then cancels it', async () => {
    const { res } = await flow.withToken('parity_start', { correct: false });
    expect(sent()[4]).toEqual([
      ['startState', 'STARTED'],
      ['cmdCheck', 'Check'],
      ['csrf_token', TOKEN],
    ]);
    expect(data(res)).toMatchObject({ state: { status: 'running', correcting: false } });
    expect(data(res).message).toMatch(/^Read-only parity check started\./);
    await flow.withToken('parity_cancel', {});
    expect(emhttpd.commands).toHaveLength(6);
  });

  it('refuses to start on a stopped array, sending nothing', async () => {
    await emhttpd.setVar('mdState', 'STOPPED');
    try {
      const res = await call('parity_start', { correct: true });
      expect(res.isError).toBe(true);
      expect(text(res)).toMatch(/The array is not started \(STOPPED\); a parity check needs a started array/);
      expect(emhttpd.commands).toHaveLength(6);
    } finally {
      await emhttpd.setVar('mdState', 'STARTED');
    }
  });

  it('offers only a read-check without valid parity: correct: true is refused, correct: false starts it', async () => {
    await emhttpd.setVar('mdResyncAction', 'check');
    try {
      const refused = await call('parity_start', { correct: true });
      expect(text(refused)).toMatch(/can only run a read-check .* Call again with correct: false/);
      expect(emhttpd.commands).toHaveLength(6);
      const { res } = await flow.withToken('parity_start', { correct: false });
      expect(data(res)).toMatchObject({ state: { status: 'running', kind: 'read_check', correcting: null } });
      expect(data(res).message).toMatch(/^Read-check started\./);
      await flow.withToken('parity_cancel', {});
    } finally {
      await emhttpd.setVar('mdResyncAction', 'check P');
    }
  });

  it('refuses to control a data rebuild', async () => {
    await emhttpd.setVar('mdResyncAction', 'recon D3');
    await emhttpd.setVar('mdResyncPos', '1000');
    await emhttpd.setVar('mdResync', '15625879500');
    await emhttpd.setVar('mdResyncDt', '5');
    const before = emhttpd.commands.length;
    try {
      for (const tool of ['parity_pause', 'parity_cancel']) {
        const res = await call(tool);
        expect(text(res)).toMatch(/data rebuild .* not a parity or read check/);
      }
      expect(emhttpd.commands).toHaveLength(before);
    } finally {
      await emhttpd.setVar('mdResyncAction', 'check P');
      await emhttpd.setVar('mdResyncPos', '0');
      await emhttpd.setVar('mdResync', '0');
      await emhttpd.setVar('mdResyncDt', '0');
    }
  });

  it('emhttpd answering an error text: the text reaches the client, state unchanged', async () => {
    emhttpd.mode = { kind: 'error', status: 200, body: 'Error: array is busy\n' };
    const { res } = await flow.withToken('parity_start', { correct: true });
    expect(res.isError).toBe(true);
    expect(text(res)).toBe('emhttpd did not carry out the command: Error: array is busy');
    expect(emhttpd.commands.at(-1)?.answer).toBe('error');
  });

  it('an answer that echoes the token does not carry it into the message', async () => {
    emhttpd.mode = { kind: 'error', status: 400, body: `bad request: cmdCheck=Check&token ${TOKEN}` };
    const { res } = await flow.withToken('parity_start', { correct: true });
    expect(text(res)).toBe(
      'emhttpd answered HTTP 400: bad request: cmdCheck=Check&token (token removed). The command was not carried out.',
    );
  });

  it('emhttpd answering HTTP 500: a plain message with the status', async () => {
    emhttpd.mode = { kind: 'error', status: 500, body: 'internal' };
    const { res } = await flow.withToken('parity_start', { correct: true });
    expect(text(res)).toBe('emhttpd answered HTTP 500: internal. The command was not carried out.');
  });

  it('a hanging emhttpd is given up on after 5 s with a clear message', async () => {
    emhttpd.mode = { kind: 'hang' };
    const t0 = Date.now();
    const { res } = await flow.withToken('parity_start', { correct: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4900);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(res.isError).toBe(true);
    expect(text(res)).toMatch(/^emhttpd did not answer within 5 s; it may be busy/);
    expect(emhttpd.commands.at(-1)?.answer).toBe('hang');
  }, 20_000);

  it('emhttpd refusing the token (it holds a newer one than var.ini shows): a plain message', async () => {
    emhttpd.token = randomBytes(16).toString('hex');
    try {
      const { res } = await flow.withToken('parity_start', { correct: true });
      expect(text(res)).toMatch(/^emhttpd refused the command's security token \(csrf_token\)/);
      expect(emhttpd.commands.at(-1)?.answer).toBe('refused: wrong');
    } finally {
      emhttpd.token = TOKEN;
    }
  });

  it('a var.ini without csrf_token: refused before anything is sent', async () => {
    await emhttpd.setVar('csrf_token', null);
    const before = emhttpd.commands.length;
    try {
      const { res } = await flow.withToken('parity_start', { correct: true });
      expect(text(res)).toMatch(/^var\.ini has no csrf_token, so emhttpd would refuse the command/);
      expect(emhttpd.commands).toHaveLength(before);
    } finally {
      await emhttpd.setVar('csrf_token', TOKEN);
    }
  });

  it('writes an intent and an outcome record for every call', async () => {
    const records = await readAudit(srv.env.auditDir);
    const tools = [...calls.keys()];
    for (const tool of tools) {
      const intents = records.filter((r) => r.stage === 'intent' && r.tool === tool);
      const outcomes = records.filter((r) => r.stage === 'outcome' && r.tool === tool);
      expect(outcomes, tool).toHaveLength(calls.get(tool)!);
      for (const o of outcomes)
        expect(
          intents.map((i) => i.id),
          tool,
        ).toContain(o.intent);
    }
  });

  it('the csrf_token appears in no tool output, no log line and no audit file', async () => {
    expect(outputs.length).toBeGreaterThan(20);
    expect(outputs.join('\n')).not.toContain(TOKEN);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(TOKEN);
    for (const f of await readdir(srv.env.auditDir)) {
      expect(await readFile(join(srv.env.auditDir, f), 'utf8'), f).not.toContain(TOKEN);
    }
  });
});

describe('through the 2026-07-28 revision (SDK v2 client, stateless)', () => {
  it('reads the history and pauses and resumes a running check, with the same form fields', async () => {
    const v2 = await connectV2(srv, { mode: { pin: '2026-07-28' }, token: 'operator' });
    const before = emhttpd.commands.length;
    try {
      const history = await v2.callTool({
        name: 'parity_history',
        arguments: { limit: 1 },
      });
      expect(data(history).entries[0].date).toBe('2026-11-30 03:12:45');
      await emhttpd.setVar('mdResync', '15625879500');
      await emhttpd.setVar('mdResyncPos', '7812939750');
      await emhttpd.setVar('mdResyncDt', '5');
      await emhttpd.setVar('mdResyncDb', '1005440');
      const paused = await v2.callTool({ name: 'parity_pause', arguments: {} });
      expect(data(paused)).toMatchObject({ confirmed: true, state: { status: 'paused', percent: 50 } });
      const resumed = await v2.callTool({ name: 'parity_resume', arguments: {} });
      expect(data(resumed)).toMatchObject({ confirmed: true, state: { status: 'running', percent: 50 } });
      expect(emhttpd.commands.slice(before).map((c) => c.fields.map(([k]) => k))).toEqual([
        ['startState', 'cmdCheckPause', 'csrf_token'],
        ['startState', 'cmdCheckResume', 'csrf_token'],
      ]);
    } finally {
      await v2.close();
      await emhttpd.setVar('mdResync', '0');
      await emhttpd.setVar('mdResyncPos', '0');
      await emhttpd.setVar('mdResyncDt', '0');
      await emhttpd.setVar('mdResyncDb', '0');
    }
  });
});

describe('without emhttpd', () => {
  it('a missing emhttpd socket: "emhttpd is not running", nothing else tried', async () => {
    const contract = await startEmhttpdContract(FIXTURE, TOKEN);
    const lone = await startTestServer({
      emhttpRoot: contract.emhttpRoot,
      settingsCfg: UNRAID_ON,
      env: { UNRAID_MCP_EMHTTPD_SOCKET: join(contract.emhttpRoot, 'no-such.socket') },
    });
    try {
      const c = await lone.connect();
      const call1 = (name: string, args: Record<string, unknown>) =>
        c.callTool({ name, arguments: args }) as Promise<CallToolResult>;
      const { res } = await confirmFlow(() => lone, call1).withToken('parity_start', { correct: true });
      expect(res.isError).toBe(true);
      expect(text(res)).toMatch(/^emhttpd is not running \(its socket is missing or refuses connections\)/);
      expect(text(res)).not.toContain(contract.emhttpRoot);
      expect(contract.commands).toHaveLength(0);
    } finally {
      await lone.close();
      await contract.close();
    }
  });
});
