import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer } from '../../helpers/start-server.js';

/**
 * The system tools through a real SDK client over real HTTP, on each fixture set: the values asserted
 * here are read off the fixture files (and computed by hand where the tool derives them).
 */
type Data = Record<string, unknown>;

async function onFixture(set: string) {
  const srv = await startTestServer({ emhttpSet: set, tokens: [{ name: 'reader', scope: 'read' }] });
  const client = await srv.connect('reader');
  const call = async (name: string, args: Data = {}) => {
    const res = (await client.callTool({ name, arguments: args })) as CallToolResult;
    return { res, data: res.structuredContent as Data, text: (res.content[0] as { text: string }).text };
  };
  return { srv, client, call };
}

describe('on a server with a parity check running (the demo fixture)', () => {
  let ctx: Awaited<ReturnType<typeof onFixture>>;
  beforeAll(async () => (ctx = await onFixture('parity-check-running')));
  afterAll(() => ctx.srv.close());

  it('lists the four system tools (in this order) for a read token', async () => {
    const names = (await ctx.client.listTools()).tools.map((t) => t.name);
    expect(names.filter((n) => n.startsWith('system_'))).toEqual([
      'system_overview',
      'system_array_status',
      'system_disks',
      'system_shares',
    ]);
  });

  it('system_overview reads procfs and hwmon', async () => {
    const { data, text } = await ctx.call('system_overview');
    expect(JSON.parse(text)).toEqual(data);
    expect(data).toMatchObject({
      hostname: 'Tower',
      unraid: { version: '7.1.4', arrayState: 'STARTED' },
      kernel: '6.12.24-Unraid',
      uptimeSeconds: 1284560,
    });
    expect(data.memory).toMatchObject({ totalBytes: 33579372544, zfsArcBytes: 4118519808 });
    expect(data.cpu).toMatchObject({ basis: 'since_boot', usagePercent: 16.9, logicalCores: 4 });
    expect(
      (data.cpu as { perCore: Array<{ usagePercent: number }> }).perCore.map((c) => c.usagePercent),
    ).toEqual([17.4, 16.4, 17.5, 16.4]);
    const temps = data.temperatures as Array<{
      chip: string;
      sensor: string;
      celsius: number;
      maxCelsius: number | null;
      critCelsius: number | null;
    }>;
    expect(temps).toHaveLength(13);
    expect(temps).toContainEqual(
      expect.objectContaining({
        chip: 'coretemp',
        chipLabel: 'CPU (coretemp)',
        sensor: 'Package id 0',
        celsius: 52,
        maxCelsius: 80,
        critCelsius: 100,
      }),
    );
    expect((data.fans as Array<{ rpm: number }>).map((f) => f.rpm)).toEqual([1107, 812]);
  });

  it('system_array_status computes parity progress, speed and ETA', async () => {
    const { data } = await ctx.call('system_array_status');
    expect(data.operation).toMatchObject({
      kind: 'parity_check',
      percent: 62.49,
      speedBytesPerSecond: 205914112,
      etaSeconds: 29146,
      correcting: true,
      paused: false,
      startedAt: '2025-06-01T00:30:00.000Z',
    });
  });

  it('system_disks reports a spun-down disk without a temperature, and pool membership', async () => {
    const { data } = await ctx.call('system_disks');
    const disks = data.disks as Array<{
      name: string;
      spunDown: boolean;
      temperatureC: number | null;
      pool: string | null;
    }>;
    expect(disks.find((d) => d.name === 'disk3')).toMatchObject({ spunDown: true, temperatureC: null });
    expect(
      (data.pools as Array<{ name: string; members: string[]; profile: string }>).find(
        (p) => p.name === 'cache',
      ),
    ).toMatchObject({ members: ['cache', 'cache2'] });
  });

  it('system_shares lists the shares with pool use', async () => {
    const { data } = await ctx.call('system_shares');
    const shares = data.shares as Array<{ name: string; storage: { secondary: string | null } }>;
    expect(shares).toHaveLength(7);
    expect(shares.find((s) => s.name === 'downloads')?.storage.secondary).toBe('ssd');
  });
});

describe('on the real Unraid captures', () => {
  it('6.11: stopped array, last check result, KiB → bytes, 27 disk entries, emoji share', async () => {
    const { srv, call } = await onFixture('unraid-6.11');
    try {
      const array = (await call('system_array_status')).data;
      expect(array).toMatchObject({
        arrayState: 'STOPPED',
        started: false,
        diskCounts: { fromDisksIni: { parity: 1, data: 3, emptySlots: 20 } },
      });
      expect(array.lastCheck).toMatchObject({
        durationSeconds: 3197,
        result: 'success',
        finishedAt: '2020-04-14T00:00:56.000Z',
      });
      const disks = (await call('system_disks')).data.disks as Array<{
        name: string;
        sizeBytes: number | null;
      }>;
      expect(disks).toHaveLength(27);
      expect(disks.find((d) => d.name === 'disk1')?.sizeBytes).toBe(17578328012 * 1024);
      const shares = (await call('system_shares')).data.shares as Array<{ name: string }>;
      expect(shares.map((s) => s.name)).toContain('system.with.🚀');
    } finally {
      await srv.close();
    }
  });

  it('7.3.1: a cancelled last check; no shares.ini is a clear error', async () => {
    const { srv, call } = await onFixture('unraid-7.3.1');
    try {
      expect((await call('system_array_status')).data.lastCheck).toMatchObject({
        result: 'cancelled',
        exitCode: -4,
        durationSeconds: 27,
      });
      const shares = await call('system_shares');
      expect(shares.res.isError).toBe(true);
      expect(shares.text).toMatch(/^emhttp state \(shares.ini\) was not found/);
    } finally {
      await srv.close();
    }
  });

  it('7.3.2: ZFS pool membership and the boot pool', async () => {
    const { srv, call } = await onFixture('unraid-7.3.2');
    try {
      const { data } = await call('system_disks');
      const disks = data.disks as Array<{
        name: string;
        pool: string | null;
        typeRaw: string;
        temperatureC: number | null;
      }>;
      expect(disks).toHaveLength(10);
      expect(disks.find((d) => d.name === 'raid2')?.pool).toBe('raid');
      expect(disks.find((d) => d.name === 'flash')).toMatchObject({ typeRaw: 'Boot', temperatureC: 44 });
      expect(
        (data.pools as Array<{ name: string; sizeBytes: number }>).find((p) => p.name === 'raid')?.sizeBytes,
      ).toBe(7674263762 * 1024);
    } finally {
      await srv.close();
    }
  });

  it('zfs-pools: a disabled disk in plain words and a raidz2 pool', async () => {
    const { srv, call } = await onFixture('zfs-pools');
    try {
      const { data } = await call('system_disks', { type: 'data' });
      expect(
        (data.disks as Array<{ name: string; health: string }>).find((d) => d.name === 'disk3')?.health,
      ).toBe('disabled — emulated from parity');
      expect(
        (data.pools as Array<{ name: string; members: string[] }>).find((p) => p.name === 'tank')?.members,
      ).toHaveLength(4);
    } finally {
      await srv.close();
    }
  });
});

describe('on a plain Linux host', () => {
  let dir: string;
  let ctx: Awaited<ReturnType<typeof onFixture>>;
  beforeAll(async () => {
    dir = await mkdtemp(`${tmpdir()}/umcp-no-emhttp-`);
    const srv = await startTestServer({
      emhttpRoot: dir,
      procRoot: '/proc',
      sysRoot: '/sys',
      tokens: [{ name: 'reader', scope: 'read' }],
    });
    const client = await srv.connect('reader');
    ctx = {
      srv,
      client,
      call: async (name: string, args: Data = {}) => {
        const res = (await client.callTool({ name, arguments: args })) as CallToolResult;
        return { res, data: res.structuredContent as Data, text: (res.content[0] as { text: string }).text };
      },
    };
  });
  afterAll(async () => {
    await ctx.srv.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('system_overview still works from the real /proc', async () => {
    const { res, data } = await ctx.call('system_overview');
    expect(res.isError).toBeFalsy();
    expect(data.unraid).toBeNull();
    expect((data.cpu as { perCore: unknown[] }).perCore.length).toBe((await import('node:os')).cpus().length);
  });

  it.each(['system_array_status', 'system_disks', 'system_shares'])(
    '%s says this is not an Unraid server',
    async (tool) => {
      const { res, text } = await ctx.call(tool);
      expect(res.isError).toBe(true);
      expect(text).toMatch(
        /^emhttp state \(var.ini\) was not found — this does not look like an Unraid server/,
      );
    },
  );
});
