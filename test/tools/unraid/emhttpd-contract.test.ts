import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TESTDATA } from '../../helpers/start-server.js';
import { startEmhttpdContract, type EmhttpdContract } from '../../helpers/emhttpd-contract.js';

/**
 * The test emhttpd itself: it must refuse what emhttpd refuses, or the parity tests could pass
 * against a server that accepts anything.
 */
const TOKEN = 'A1B2C3D4E5F60718';
let emhttpd: EmhttpdContract;

/** One request to a contract server (the first one unless `to` says otherwise). */
function send(
  method: string,
  path: string,
  body: string,
  contentType = 'application/x-www-form-urlencoded',
  to: EmhttpdContract = emhttpd,
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { socketPath: to.socketPath, method, path, headers: { 'Content-Type': contentType } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  emhttpd = await startEmhttpdContract(join(TESTDATA, 'emhttp', 'unraid-7.3.1', 'var.ini'), TOKEN);
});
afterAll(() => emhttpd.close());

describe('the emhttpd contract server', () => {
  it('writes its token into the var.ini copy', async () => {
    expect(await emhttpd.readVar('csrf_token')).toBe(TOKEN);
  });

  it('refuses a missing token, a wrong one, and a token sent as JSON (no form fields) — 403, nothing changes', async () => {
    expect(await send('POST', '/update', 'cmdCheck=Check')).toEqual({
      status: 403,
      body: '{"error":"missing csrf_token"}',
    });
    expect(await send('POST', '/update', 'cmdCheck=Check&csrf_token=0000')).toEqual({
      status: 403,
      body: '{"error":"wrong csrf_token"}',
    });
    expect(
      (
        await send(
          'POST',
          '/update',
          JSON.stringify({ cmdCheck: 'Check', csrf_token: TOKEN }),
          'application/json',
        )
      ).status,
    ).toBe(403);
    expect(await emhttpd.readVar('mdResyncPos')).toBe('0');
  });

  it('refuses another method or path', async () => {
    expect((await send('GET', `/update?cmdCheck=Check&csrf_token=${TOKEN}`, '')).status).toBe(405);
    expect((await send('POST', '/logging.htm', `cmdCheck=Check&csrf_token=${TOKEN}`)).status).toBe(404);
    expect(await emhttpd.readVar('mdResyncPos')).toBe('0');
  });

  it('carries out a well-formed command: 200, empty body, var.ini shows the check running', async () => {
    expect(await send('POST', '/update', `startState=STARTED&cmdCheck=Check&csrf_token=${TOKEN}`)).toEqual({
      status: 200,
      body: '',
    });
    expect(Number(await emhttpd.readVar('mdResyncPos'))).toBeGreaterThan(0);
    expect(await emhttpd.readVar('mdResyncCorr')).toBe('0');
    expect(emhttpd.commands.map((c) => c.answer)).toEqual([
      'refused: missing',
      'refused: wrong',
      'refused: missing',
      'refused: method',
      'refused: path',
      'ok',
    ]);
  });
});

describe('the emhttpd contract server with a disks.ini', () => {
  let withDisks: EmhttpdContract;
  const EMHTTP = join(TESTDATA, 'emhttp', 'unraid-7.3.2');
  const post = (body: string) =>
    send('POST', '/update', body, 'application/x-www-form-urlencoded', withDisks);

  beforeAll(async () => {
    withDisks = await startEmhttpdContract(join(EMHTTP, 'var.ini'), TOKEN, {
      disksIni: join(EMHTTP, 'disks.ini'),
    });
  });
  afterAll(() => withDisks.close());

  it('refuses a spin command without the token, changing nothing', async () => {
    expect((await post('cmdSpindown=disk1')).status).toBe(403);
    expect(await withDisks.readDiskVar('disk1', 'spundown')).toBe('0');
  });

  it('cmdSpindown / cmdSpinup change only that disk: spundown, colour and temperature', async () => {
    expect(await post(`cmdSpindown=disk1&csrf_token=${TOKEN}`)).toEqual({ status: 200, body: '' });
    expect(await withDisks.readDiskVar('disk1', 'spundown')).toBe('1');
    expect(await withDisks.readDiskVar('disk1', 'color')).toBe('green-blink');
    expect(await withDisks.readDiskVar('disk1', 'temp')).toBe('*');
    expect(await withDisks.readDiskVar('raid', 'spundown')).toBe('0');
    expect(await post(`cmdSpinup=disk1&csrf_token=${TOKEN}`)).toEqual({ status: 200, body: '' });
    expect(await withDisks.readDiskVar('disk1', 'spundown')).toBe('0');
    expect(await withDisks.readDiskVar('disk1', 'color')).toBe('green-on');
    expect(await withDisks.readDiskVar('disk1', 'temp')).toBe('44');
  });

  it('a name disks.ini does not have changes nothing; parity commands still work beside the disks', async () => {
    const before = await readFile(withDisks.disksIni!, 'utf8');
    expect((await post(`cmdSpindown=disk99&csrf_token=${TOKEN}`)).status).toBe(200);
    expect(await readFile(withDisks.disksIni!, 'utf8')).toBe(before);
    expect((await post(`startState=STARTED&cmdCheck=Check&csrf_token=${TOKEN}`)).status).toBe(200);
    expect(Number(await withDisks.readVar('mdResyncPos'))).toBeGreaterThan(0);
  });
});
