import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, TESTDATA, type TestServer } from '../../helpers/start-server.js';
import { startEmhttpdContract, type EmhttpdContract } from '../../helpers/emhttpd-contract.js';
import { readAudit } from '../../helpers/audit-file.js';
import { createLogger } from '../../../server/log.js';
import { resultData as data, resultText as text, toolCaller } from '../../helpers/tool-calls.js';

/** The unraid toolset is off in a fresh install; these tests switch it on as the owner would. */
const UNRAID_ON = 'TOOLSETS="system,docker,vm,unraid"\n';

/**
 * disk_smart, disk_spin_up and disk_spin_down through a real MCP client over HTTP against a real
 * sidecar. emhttp's state is a copy of the real 7.3.2 capture (var.ini + disks.ini: disk1 sdc HDD,
 * cache nvme0n1, pool raid/raid2/raid3 on sde/sdb/sdd, boot_data SSD sdf, no parity) served by the
 * emhttpd contract on a real unix socket. smartctl is a wrapper script that records its arguments and
 * prints real captured --json outputs (testdata/unraid/smart) with their exit status; for a device it
 * has no capture of, it runs the real smartctl.
 */
const EMHTTP = join(TESTDATA, 'emhttp', 'unraid-7.3.2');
const SMART = join(TESTDATA, 'unraid', 'smart');
const TOKEN = randomBytes(16).toString('hex').toUpperCase();
const REAL_SMARTCTL = ['/usr/sbin/smartctl', '/usr/bin/smartctl', '/sbin/smartctl'].find((p) =>
  existsSync(p),
);
type Data = Record<string, any>;

let emhttpd: EmhttpdContract;
let srv: TestServer;
let operator: Client;
let reader: Client;
let dir: string;
const logLines: string[] = [];

const { call, calls, outputs } = toolCaller(() => operator);
const check = (res: CallToolResult, name: string) =>
  (data(res).smart.checks as Data[]).find((c) => c.name === name);

/** What the wrapper was run with, one array of arguments per run. */
async function smartctlRuns(): Promise<string[][]> {
  const log = await readFile(join(dir, 'runs.log'), 'utf8').catch(() => '');
  return log
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t').slice(0, -1));
}

/** Which capture the wrapper prints for a device, with the exit status smartctl had. */
async function serve(device: string, capture: string | null, exitStatus = 0) {
  const base = join(dir, 'devices', device);
  if (capture === null) {
    await rm(`${base}.json`, { force: true });
    return;
  }
  await copyFile(join(SMART, capture), `${base}.json`);
  await writeFile(`${base}.exit`, String(exitStatus));
}

beforeAll(async () => {
  if (!REAL_SMARTCTL)
    throw new Error('smartctl (Debian package smartmontools) is not installed; these tests need it');
  dir = await mkdtemp(join(tmpdir(), 'umcp-smartctl-'));
  await mkdir(join(dir, 'devices'));
  const wrapper = join(dir, 'smartctl');
  await writeFile(
    wrapper,
    [
      '#!/bin/sh',
      '# Records its arguments (tab-separated, one run a line), then prints the capture for the device.',
      `{ for a in "$@"; do printf '%s\\t' "$a"; done; printf '\\n'; } >> '${dir}/runs.log'`,
      'for a in "$@"; do dev="$a"; done',
      `f='${dir}/devices/'"\${dev#/dev/}"`,
      'if [ -f "$f.json" ]; then cat "$f.json"; exit "$(cat "$f.exit")"; fi',
      `exec '${REAL_SMARTCTL}' "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(wrapper, 0o755);
  await serve('sdc', 'smart-fail2.json', 216);
  await serve('nvme0n1', 'smart-nvme-critical.json', 8);
  await serve('sdf', 'smart-ata-full.json', 0);
  await serve('sdb', 'smart-hdd-crc.json', 0);
  await serve('sde', 'smart-standby.json', 2);

  emhttpd = await startEmhttpdContract(join(EMHTTP, 'var.ini'), TOKEN, {
    disksIni: join(EMHTTP, 'disks.ini'),
  });
  // raid3's device is one no machine has: the real smartctl answers for it.
  await emhttpd.setDiskVar('raid3', 'device', 'sdzz');
  srv = await startTestServer({
    emhttpRoot: emhttpd.emhttpRoot,
    settingsCfg: UNRAID_ON,
    tokens: [
      { name: 'operator', scope: 'operate' },
      { name: 'reader', scope: 'read' },
    ],
    log: createLogger('debug', (line) => logLines.push(line)),
    env: { UNRAID_MCP_EMHTTPD_SOCKET: emhttpd.socketPath, UNRAID_MCP_SMARTCTL: wrapper },
  });
  operator = await srv.connect('operator');
  reader = await srv.connect('reader');
});
afterAll(async () => {
  await srv?.close();
  await emhttpd?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  emhttpd.mode = { kind: 'normal' };
});

describe('disk_smart', () => {
  it('is listed for a read token; the spin tools only for operate', async () => {
    const names = async (c: Client) =>
      (await c.listTools()).tools.map((t) => t.name).filter((n) => n.startsWith('disk_'));
    expect(await names(reader)).toEqual(['disk_smart']);
    expect(await names(operator)).toEqual(['disk_smart', 'disk_spin_up', 'disk_spin_down']);
  });

  it('a failing HDD: verdict FAILED, reallocated sectors failing now, pending sectors flagged, exit bits explained', async () => {
    const res = await call('disk_smart', { disk: 'disk1' }, reader);
    expect(res.isError).toBeFalsy();
    expect(JSON.parse(text(res))).toEqual(data(res));
    expect(data(res)).toMatchObject({
      disk: 'disk1',
      device: 'sdc',
      state: 'read',
      smartctlRan: true,
      smart: {
        protocol: 'ATA',
        model: 'Hitachi HDS721050DLE630',
        verdict: 'failed',
        health: 'failing',
        powerOnHours: 65592,
        temperatureC: 25,
        wearPercentUsed: null,
        failingAttributes: [{ id: 5, name: 'Reallocated_Sector_Ct', when: 'now' }],
      },
    });
    expect(check(res, 'reallocated_sectors')).toMatchObject({ value: 1975, status: 'failing' });
    expect(check(res, 'pending_sectors')).toMatchObject({ value: 8, status: 'warning' });
    expect(check(res, 'offline_uncorrectable')).toMatchObject({ value: 0, status: 'ok' });
    expect(check(res, 'udma_crc_errors')).toMatchObject({ value: 0, status: 'ok' });
    expect(check(res, 'error_log_entries')).toMatchObject({ value: 56, status: 'warning' });
    expect(data(res).smart.exitStatusNotes).toEqual([
      'SMART status: DISK FAILING.',
      'Prefail attributes are at or below their threshold now.',
      "The drive's error log contains errors.",
      "The drive's self-test log contains errors.",
    ]);
    expect(data(res).message).toMatch(/^disk1 \(sdc, .*\): SMART overall-health: FAILED — back up its data/);
  });

  it('an NVMe drive in trouble: critical warning, spare below threshold, endurance past 100 %, media errors', async () => {
    const res = await call('disk_smart', { disk: 'cache' });
    expect(data(res).smart).toMatchObject({
      protocol: 'NVMe',
      verdict: 'failed',
      health: 'failing',
      wearPercentUsed: 104,
      powerOnHours: 12798,
    });
    expect(check(res, 'critical_warning')).toMatchObject({ value: 5, status: 'failing' });
    expect(check(res, 'critical_warning')!.note).toBe(
      'The controller reports: available spare below threshold; reliability degraded by media or internal errors.',
    );
    expect(check(res, 'available_spare')).toMatchObject({ value: 4, status: 'failing' });
    expect(check(res, 'wear')).toMatchObject({ value: 104, status: 'failing' });
    expect(check(res, 'media_errors')).toMatchObject({ value: 211, status: 'warning' });
    expect(data(res).smart.exitStatusNotes).toEqual(['SMART status: DISK FAILING.']);
  });

  it('a healthy NVMe drive: nothing flagged; the answer is read again on every call (nothing cached)', async () => {
    await serve('nvme0n1', 'smart-nvme.json', 0);
    const res = await call('disk_smart', { disk: 'cache' });
    expect(data(res).smart).toMatchObject({ verdict: 'passed', health: 'ok', wearPercentUsed: 0 });
    expect((data(res).smart.checks as Data[]).every((c) => c.status === 'ok')).toBe(true);
    expect(data(res).message).toBe(
      'cache (nvme0n1, INTEL SSDPEKNW010T8): SMART overall-health: PASSED. No attribute needs attention.',
    );
  });

  it('a SATA SSD: endurance used from its device statistics, temperature against its own limit', async () => {
    const res = await call('disk_smart', { disk: 'boot_data' });
    expect(data(res).smart).toMatchObject({ protocol: 'ATA', verdict: 'passed', wearPercentUsed: 19 });
    expect(check(res, 'wear')!.note).toBe('19% used (device statistics): of the rated endurance.');
    expect(check(res, 'temperature')).toMatchObject({ value: 36, status: 'ok' });
    expect(check(res, 'temperature')!.note).toBe("36 °C, below the drive's own limit of 70 °C.");
  });

  it('UDMA CRC errors alone: verdict passed, flagged as cabling', async () => {
    const res = await call('disk_smart', { disk: 'raid2' });
    expect(data(res).smart).toMatchObject({ verdict: 'passed', health: 'warning' });
    expect(check(res, 'udma_crc_errors')).toMatchObject({ value: 37, status: 'warning' });
    expect(check(res, 'udma_crc_errors')!.note).toMatch(/usually a cable or backplane/);
    expect(data(res).message).toBe(
      'raid2 (sdb, Hitachi HDS721050DLE630): SMART overall-health: PASSED. Needs a look: udma crc errors.',
    );
  });

  it('a disk that went to standby after emhttp looked: smartctl leaves it asleep, answered as spun down (not an error)', async () => {
    const res = await call('disk_smart', { disk: 'raid' });
    expect(res.isError).toBeFalsy();
    expect(data(res)).toEqual({
      disk: 'raid',
      device: 'sde',
      state: 'spun_down',
      smartctlRan: true,
      smart: null,
      message:
        'raid (sde) is in STANDBY mode (spun down since emhttp last looked). smartctl left it asleep (not woken), so there is no SMART data now.',
    });
  });

  it('a disk disks.ini shows spun down: smartctl is not run at all', async () => {
    await emhttpd.setDiskVar('raid2', 'spundown', '1');
    const before = (await smartctlRuns()).length;
    try {
      const res = await call('disk_smart', { disk: 'raid2' });
      expect(data(res)).toMatchObject({ state: 'spun_down', smartctlRan: false, smart: null });
      expect(data(res).message).toMatch(
        /^raid2 \(sdb\) is spun down\. Its SMART data was not read, so it stays asleep/,
      );
      expect(await smartctlRuns()).toHaveLength(before);
    } finally {
      await emhttpd.setDiskVar('raid2', 'spundown', '0');
    }
  });

  it('the real smartctl on a device that does not exist: its own error, precisely', async () => {
    const res = await call('disk_smart', { disk: 'raid3' });
    expect(res.isError).toBe(true);
    expect(text(res)).toBe(
      'smartctl could not open sdzz for raid3 (exit status 2): Smartctl open device: /dev/sdzz failed: No such device.',
    );
  });

  it('refuses unknown names, device names and paths before anything runs', async () => {
    const before = (await smartctlRuns()).length;
    const unknown = await call('disk_smart', { disk: 'disk9' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toBe(
      'Unraid has no disk named "disk9". Disks with a device: disk1, boot_data, cache, raid, raid2, raid3, flash (see system_disks). Nothing was run.',
    );
    const device = await call('disk_smart', { disk: 'sdc' });
    expect(text(device)).toBe(
      '"sdc" is a device name, not an Unraid disk name; it is disk1. Use that name. Nothing was run.',
    );
    for (const bad of ['../../etc/passwd', '/dev/sda', 'disk1;reboot', '']) {
      const res = await call('disk_smart', { disk: bad });
      expect(res.isError, bad).toBe(true);
      expect(text(res), bad).toMatch(/disk/);
    }
    const slash = await call('disk_smart', { disk: '/dev/sda' });
    expect(text(slash)).toMatch(/not a path or a \/dev device/);
    const empty = await call('disk_smart', { disk: 'parity' });
    expect(text(empty)).toBe(
      'parity has no device assigned (emhttp status DISK_NP_DSBL), so there is no drive to read SMART from. Nothing was run.',
    );
    expect(await smartctlRuns()).toHaveLength(before);
  });

  it('every smartctl run had exactly -n standby --json -a /dev/<device>', async () => {
    const runs = await smartctlRuns();
    expect(runs.length).toBeGreaterThanOrEqual(7);
    for (const args of runs) {
      expect(args.slice(0, 4)).toEqual(['-n', 'standby', '--json', '-a']);
      expect(args).toHaveLength(5);
      expect(args[4]).toMatch(/^\/dev\/[a-z0-9]+$/);
    }
    expect(runs.map((a) => a[4])).toEqual(
      expect.arrayContaining(['/dev/sdc', '/dev/nvme0n1', '/dev/sdf', '/dev/sdb', '/dev/sde', '/dev/sdzz']),
    );
  });
});

describe('disk_spin_down and disk_spin_up against the emhttpd contract', () => {
  it('disk_spin_down posts cmdSpindown=<name> with the token, and reads disks.ini back as spun down', async () => {
    const before = emhttpd.commands.length;
    const res = await call('disk_spin_down', { disk: 'disk1' });
    expect(res.isError).toBeFalsy();
    expect(emhttpd.commands).toHaveLength(before + 1);
    const cmd = emhttpd.commands.at(-1)!;
    expect(cmd).toMatchObject({
      method: 'POST',
      path: '/update',
      contentType: 'application/x-www-form-urlencoded',
      answer: 'ok',
    });
    expect(cmd.fields).toEqual([
      ['cmdSpindown', 'disk1'],
      ['csrf_token', TOKEN],
    ]);
    expect(data(res)).toEqual({
      changed: true,
      command: 'cmdSpindown',
      confirmed: true,
      message: 'disk1 (sdc) spun down.',
      state: { disk: 'disk1', device: 'sdc', spunDown: true, temperatureC: null },
    });
    expect(await emhttpd.readDiskVar('disk1', 'color')).toBe('green-blink');
  });

  it('refuses a second spin-down, sending nothing; disk_smart leaves the sleeping disk alone', async () => {
    const before = emhttpd.commands.length;
    const runs = (await smartctlRuns()).length;
    const res = await call('disk_spin_down', { disk: 'disk1' });
    expect(res.isError).toBe(true);
    expect(text(res)).toBe('disk1 (sdc) is already spun down. Nothing was sent.');
    const smart = await call('disk_smart', { disk: 'disk1' });
    expect(data(smart)).toMatchObject({ state: 'spun_down', smartctlRan: false });
    expect(emhttpd.commands).toHaveLength(before);
    expect(await smartctlRuns()).toHaveLength(runs);
  });

  it('disk_spin_up posts cmdSpinup=<name> and reads the disk back spun up with its temperature', async () => {
    const res = await call('disk_spin_up', { disk: 'disk1' });
    expect(emhttpd.commands.at(-1)!.fields).toEqual([
      ['cmdSpinup', 'disk1'],
      ['csrf_token', TOKEN],
    ]);
    expect(data(res)).toEqual({
      changed: true,
      command: 'cmdSpinup',
      confirmed: true,
      message: 'disk1 (sdc) spun up, 44 °C.',
      state: { disk: 'disk1', device: 'sdc', spunDown: false, temperatureC: 44 },
    });
    const again = await call('disk_spin_up', { disk: 'disk1' });
    expect(text(again)).toBe('disk1 (sdc) is already spun up (44 °C). Nothing was sent.');
  });

  it('a pool member is spun by its own name', async () => {
    const res = await call('disk_spin_down', { disk: 'raid2' });
    expect(emhttpd.commands.at(-1)!.fields[0]).toEqual(['cmdSpindown', 'raid2']);
    expect(data(res)).toMatchObject({
      confirmed: true,
      state: { disk: 'raid2', device: 'sdb', spunDown: true },
    });
    await call('disk_spin_up', { disk: 'raid2' });
  });

  it('refuses the boot device, a slot without a device, unknown names and paths, sending nothing', async () => {
    const before = emhttpd.commands.length;
    expect(text(await call('disk_spin_down', { disk: 'flash' }))).toBe(
      'flash is the boot device; Unraid does not spin it up or down. Nothing was sent.',
    );
    expect(text(await call('disk_spin_up', { disk: 'parity2' }))).toBe(
      'parity2 has no device assigned (emhttp status DISK_NP_DSBL), so there is nothing to spin. Nothing was sent.',
    );
    expect(text(await call('disk_spin_down', { disk: 'disk7' }))).toMatch(
      /^Unraid has no disk named "disk7"/,
    );
    expect(text(await call('disk_spin_down', { disk: '../disk1' }))).toMatch(/not a path or a \/dev device/);
    expect(emhttpd.commands).toHaveLength(before);
  });

  it('refuses while the array is stopped, as the WebGUI offers no spin control then', async () => {
    await emhttpd.setVar('fsState', 'Stopped');
    const before = emhttpd.commands.length;
    try {
      const res = await call('disk_spin_down', { disk: 'disk1' });
      expect(text(res)).toBe(
        'The array is not started (Stopped); Unraid offers spin control only while it is started. Nothing was sent.',
      );
      expect(emhttpd.commands).toHaveLength(before);
    } finally {
      await emhttpd.setVar('fsState', 'Started');
    }
  });

  it('a read token cannot spin disks', async () => {
    const before = emhttpd.commands.length;
    const res = await call('disk_spin_down', { disk: 'disk1' }, reader);
    expect(res.isError).toBe(true);
    expect(emhttpd.commands).toHaveLength(before);
  });

  it('emhttpd accepting but disks.ini not changing: answered as unconfirmed after the read-back window', async () => {
    emhttpd.mode = { kind: 'no-effect' };
    const t0 = Date.now();
    const res = await call('disk_spin_down', { disk: 'cache' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4900);
    expect(data(res)).toMatchObject({ changed: true, confirmed: false, state: { spunDown: false } });
    expect(data(res).message).toBe(
      'emhttpd accepted the command, but disks.ini still shows cache (nvme0n1) spun up after 5 s. Solid-state devices often do not report a spun-down state.',
    );
  }, 15_000);

  it('emhttpd answering an error text: the text reaches the client', async () => {
    emhttpd.mode = { kind: 'error', status: 200, body: 'Error: device busy\n' };
    const res = await call('disk_spin_down', { disk: 'disk1' });
    expect(res.isError).toBe(true);
    expect(text(res)).toBe('emhttpd did not carry out the command: Error: device busy');
    expect(await emhttpd.readDiskVar('disk1', 'spundown')).toBe('0');
  });

  it('writes an intent and an outcome record for every call', async () => {
    const records = await readAudit(srv.env.auditDir);
    for (const [tool, n] of calls) {
      const intents = records.filter((r) => r.stage === 'intent' && r.tool === tool);
      const outcomes = records.filter((r) => r.stage === 'outcome' && r.tool === tool);
      expect(outcomes, tool).toHaveLength(n);
      for (const o of outcomes)
        expect(
          intents.map((i) => i.id),
          tool,
        ).toContain(o.intent);
    }
    expect([...calls.keys()].sort()).toEqual(['disk_smart', 'disk_spin_down', 'disk_spin_up']);
  });

  it('the csrf_token appears in no tool output, no log line and no audit file', async () => {
    expect(outputs.length).toBeGreaterThan(20);
    expect(outputs.join('\n')).not.toContain(TOKEN);
    expect(logLines.join('\n')).toContain('emhttpd command sent');
    expect(logLines.join('\n')).not.toContain(TOKEN);
    for (const f of await readdir(srv.env.auditDir))
      expect(await readFile(join(srv.env.auditDir, f), 'utf8'), f).not.toContain(TOKEN);
  });
});
