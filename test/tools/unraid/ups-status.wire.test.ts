import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, TESTDATA, type TestServer } from '../../helpers/start-server.js';
import { startApcupsdReplay, type ApcupsdReplay } from '../../helpers/apcupsd-replay.js';
import { startNutUpsd, type NutUpsd } from '../../helpers/nut-upsd.js';
import { readAudit } from '../../helpers/audit-file.js';

const UNRAID_ON = 'TOOLSETS="system,docker,vm,unraid"\n';
const UPS = join(TESTDATA, 'unraid', 'ups');
type Data = Record<string, any>;

/**
 * ups_status through a real MCP client over HTTP. NUT is a real upsd with the dummy-ups driver;
 * apcupsd is a server replaying a real apcupsd's answers byte for byte (testdata/unraid/ups).
 */
let nut: NutUpsd;
let apc: ApcupsdReplay;
let srv: TestServer;
let client: Client;
let calls = 0;

const text = (res: CallToolResult) => (res.content[0] as { text: string }).text;
const data = (res: CallToolResult) => res.structuredContent as Data;
async function call(c: Client): Promise<CallToolResult> {
  calls++;
  return (await c.callTool({ name: 'ups_status', arguments: {} })) as CallToolResult;
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** How many whole status lines the first `bytes` of a capture hold. */
async function wholeRecords(file: string, bytes: number): Promise<number> {
  const b = (await readFile(file)).subarray(0, bytes);
  let i = 0;
  let n = 0;
  while (i + 2 <= b.length && i + 2 + b.readUInt16BE(i) <= b.length && b.readUInt16BE(i) > 0) {
    i += 2 + b.readUInt16BE(i);
    n++;
  }
  return n;
}

beforeAll(async () => {
  nut = await startNutUpsd('rack', {
    'battery.charge': '87',
    'battery.runtime': '1740',
    'battery.voltage': '27.1',
    'ups.status': 'OL CHRG',
    'ups.load': '23',
    'ups.realpower.nominal': '865',
    'input.voltage': '229.8',
    'output.voltage': '230.1',
    'input.transfer.reason': 'input voltage out of range',
  });
  apc = await startApcupsdReplay({ kind: 'capture', file: join(UPS, 'apcupsd-online.nis') });
  srv = await startTestServer({
    settingsCfg: UNRAID_ON,
    tokens: [{ name: 'reader', scope: 'read' }],
    env: { UNRAID_MCP_APCUPSD_ADDR: `127.0.0.1:${apc.port}`, UNRAID_MCP_NUT_ADDR: `127.0.0.1:${nut.port}` },
  });
  client = await srv.connect('reader');
});
afterAll(async () => {
  await srv?.close();
  await apc?.close();
  await nut?.stop();
});

describe('ups_status with apcupsd and a real NUT upsd', () => {
  it('reports both UPSes: apcupsd on line, NUT on line and charging, with their numbers', async () => {
    const res = await call(client);
    expect(res.isError).toBeFalsy();
    expect(JSON.parse(text(res))).toEqual(data(res));
    expect(apc.requests.at(-1)).toEqual(Buffer.from([0, 6, ...Buffer.from('status')]));
    expect(data(res).daemons).toEqual([
      { daemon: 'apcupsd', address: `127.0.0.1:${apc.port}`, outcome: 'answered', note: 'answered' },
      { daemon: 'nut', address: `127.0.0.1:${nut.port}`, outcome: 'answered', note: 'answered' },
    ]);
    const [a, n] = data(res).ups as Data[];
    expect(a).toEqual({
      daemon: 'apcupsd',
      name: 'rack-ups',
      model: 'Back-UPS RS 900G',
      statusCodes: ['ONLINE', 'SLAVE'],
      status: 'On line power, following another apcupsd',
      onBattery: false,
      lowBattery: false,
      replaceBattery: false,
      chargePercent: 100,
      runtimeSeconds: 2310,
      loadPercent: 17,
      loadWatts: 92,
      nominalPowerWatts: 540,
      inputVoltage: 232,
      outputVoltage: 230,
      batteryVoltage: 27.3,
      lastTransferReason: 'Low line voltage',
      problem: null,
    });
    expect(n).toMatchObject({
      daemon: 'nut',
      name: 'rack',
      statusCodes: ['OL', 'CHRG'],
      status: 'On line power, battery charging',
      onBattery: false,
      lowBattery: false,
      chargePercent: 87,
      runtimeSeconds: 1740,
      loadPercent: 23,
      loadWatts: 199,
      nominalPowerWatts: 865,
      inputVoltage: 229.8,
      outputVoltage: 230.1,
      batteryVoltage: 27.1,
      lastTransferReason: 'input voltage out of range',
      problem: null,
    });
    expect(data(res).message).toBe(
      'rack-ups (apcupsd): On line power, following another apcupsd; charge 100%, 39 min runtime, load 17% (92 W). ' +
        'rack (nut): On line power, battery charging; charge 87%, 29 min runtime, load 23% (199 W).',
    );
  });

  it('reads apcupsd again on every call: on battery with the battery low', async () => {
    apc.mode = { kind: 'capture', file: join(UPS, 'apcupsd-onbatt-lowbatt.nis') };
    const a = (data(await call(client)).ups as Data[])[0];
    expect(a).toMatchObject({
      statusCodes: ['ONBATT', 'LOWBATT', 'SLAVE'],
      status: 'On battery, battery low, following another apcupsd',
      onBattery: true,
      lowBattery: true,
      chargePercent: 9,
      runtimeSeconds: 126,
      lastTransferReason: 'Unacceptable line voltage changes',
    });
  });

  it('apcupsd shutting down, and apcupsd that lost its UPS', async () => {
    apc.mode = { kind: 'capture', file: join(UPS, 'apcupsd-shutting-down.nis') };
    expect((data(await call(client)).ups as Data[])[0]).toMatchObject({
      statusCodes: ['SHUTTING_DOWN'],
      status: 'Shutting down',
    });
    apc.mode = { kind: 'capture', file: join(UPS, 'apcupsd-commlost.nis') };
    expect((data(await call(client)).ups as Data[])[0]).toMatchObject({
      statusCodes: ['COMMLOST'],
      status: 'Communication with the UPS lost',
      onBattery: null,
      lowBattery: null,
      problem: 'apcupsd has lost communication with the UPS; the values are old or missing.',
    });
  });

  it('apcupsd closing mid-answer: a precise note for it, the NUT UPS still reported', async () => {
    const file = join(UPS, 'apcupsd-online.nis');
    apc.mode = { kind: 'cut', file, bytes: 301 };
    const res = await call(client);
    expect(res.isError).toBeFalsy();
    const lines = await wholeRecords(file, 301);
    expect(data(res).daemons[0]).toEqual({
      daemon: 'apcupsd',
      address: `127.0.0.1:${apc.port}`,
      outcome: 'failed',
      note: `apcupsd closed the connection mid-answer (after ${lines} status lines).`,
    });
    expect((data(res).ups as Data[]).map((u) => u.daemon)).toEqual(['nut']);
    expect(data(res).message).toMatch(
      / apcupsd on 127\.0\.0\.1:\d+ did not answer properly: apcupsd closed the connection mid-answer/,
    );
    apc.mode = { kind: 'capture', file };
  });

  it('NUT with its driver stopped: upsd still answers, the UPS is reported without data and why', async () => {
    await nut.stopDriver();
    let n: Data = {};
    for (let i = 0; i < 50; i++) {
      n = (data(await call(client)).ups as Data[])[1]!;
      if (n.problem) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(n).toMatchObject({ daemon: 'nut', name: 'rack', chargePercent: null, onBattery: null });
    expect(n.problem).toMatch(/driver is not|stopped sending fresh data/);
    expect(n.status).toMatch(/^No data: /);
  });
});

describe('ups_status with only apcupsd configured (no NUT)', () => {
  let lone: TestServer;
  let loneClient: Client;
  let replay: ApcupsdReplay;
  let nutPort: number;

  beforeAll(async () => {
    replay = await startApcupsdReplay({ kind: 'silent' });
    nutPort = await closedPort();
    lone = await startTestServer({
      settingsCfg: UNRAID_ON,
      env: {
        UNRAID_MCP_APCUPSD_ADDR: `127.0.0.1:${replay.port}`,
        UNRAID_MCP_NUT_ADDR: `127.0.0.1:${nutPort}`,
      },
    });
    loneClient = await lone.connect();
  });
  afterAll(async () => {
    await lone?.close();
    await replay?.close();
  });

  it('an apcupsd that accepts but never answers: a bounded, precise error after 3 s', async () => {
    const t0 = Date.now();
    const res = await call(loneClient);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(res.isError).toBe(true);
    expect(text(res)).toBe(
      `apcupsd on 127.0.0.1:${replay.port}: apcupsd accepted the connection but did not finish answering within 3 s.`,
    );
  });

  it('an apcupsd that closes mid-answer with nothing else answering: the error names what happened', async () => {
    replay.mode = { kind: 'cut', file: join(UPS, 'apcupsd-online.nis'), bytes: 1 };
    const res = await call(loneClient);
    expect(res.isError).toBe(true);
    expect(text(res)).toBe(
      `apcupsd on 127.0.0.1:${replay.port}: apcupsd closed the connection mid-answer (after 0 status lines).`,
    );
  });

  it('neither daemon running: a plain answer, not an error', async () => {
    const port = replay.port;
    await replay.close();
    const res = await call(loneClient);
    expect(res.isError).toBeFalsy();
    expect(data(res)).toEqual({
      ups: [],
      daemons: [
        {
          daemon: 'apcupsd',
          address: `127.0.0.1:${port}`,
          outcome: 'not_running',
          note: 'nothing is listening (apcupsd is not installed or not running)',
        },
        {
          daemon: 'nut',
          address: `127.0.0.1:${nutPort}`,
          outcome: 'not_running',
          note: 'nothing is listening (upsd (NUT) is not installed or not running)',
        },
      ],
      message: `No UPS daemon answering on 127.0.0.1:${port} (apcupsd) or 127.0.0.1:${nutPort} (NUT upsd): no UPS is set up on this server (Settings → UPS Settings, or the NUT plugin).`,
    });
  });

  it('writes an intent and an outcome record for every call, on both servers', async () => {
    const records = [...(await readAudit(srv.env.auditDir)), ...(await readAudit(lone.env.auditDir))];
    const outcomes = records.filter((r) => r.stage === 'outcome' && r.tool === 'ups_status');
    expect(outcomes).toHaveLength(calls);
    const intents = new Set(records.filter((r) => r.stage === 'intent').map((r) => r.id));
    for (const o of outcomes) expect(intents.has(o.intent ?? '')).toBe(true);
  });
});
