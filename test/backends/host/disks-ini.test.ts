import { describe, expect, it } from 'vitest';
import { parseEmhttpIni } from '../../../server/backends/host/emhttp-ini.js';
import { readDisks } from '../../../server/backends/host/disks-ini.js';
import { describeDiskStatus, describeLuksState } from '../../../server/backends/host/disk-status.js';
import { fixtureReader } from './testdata.js';

const byName = async (set: Parameters<typeof fixtureReader>[0]) => {
  const report = await fixtureReader(set).disks();
  return { report, disk: (name: string) => report.disks.find((d) => d.name === name) };
};

describe('disks on each fixture set', () => {
  it('unraid-6.11: 27 sections; disk1 sizes are KiB × 1024; cache + cache2 form pool "cache"', async () => {
    const { report, disk } = await byName('unraid-6.11');
    expect(report.disks).toHaveLength(27);
    expect(disk('disk1')).toMatchObject({
      role: 'data',
      device: 'sdf',
      present: true,
      status: 'DISK_OK',
      health: 'healthy',
      temperatureC: 30,
      sizeBytes: 17578328012 * 1024,
      filesystem: {
        type: 'xfs',
        status: 'Mounted',
        sizeBytes: 17576897220 * 1024,
        usedBytes: 4019534200 * 1024,
        freeBytes: 13557363020 * 1024,
      },
      encryption: 'none',
      reads: 6067048321,
      writes: 761993220,
      errors: 0,
    });
    expect(disk('disk4')).toMatchObject({
      present: false,
      health: 'not installed (empty slot)',
      temperatureC: null,
      spunDown: false,
      sizeBytes: null,
      filesystem: null,
      encryption: null,
    });
    expect(disk('parity2')).toMatchObject({
      role: 'parity',
      present: false,
      status: 'DISK_NP_DSBL',
      health: 'not installed (empty slot)',
      needsAttention: false,
    });
    expect(disk('cache2')).toMatchObject({
      role: 'pool',
      pool: 'cache',
      device: 'nvme0n1',
      temperatureC: 27,
      filesystem: null,
    });
    expect(report.pools).toEqual([
      {
        name: 'cache',
        members: ['cache', 'cache2'],
        slots: 2,
        filesystem: 'btrfs',
        profile: null,
        status: 'Mounted',
        sizeBytes: 244198552 * 1024,
        usedBytes: 134056472 * 1024,
        freeBytes: 109190120 * 1024,
        bootPool: false,
      },
    ]);
    // USB flash reports temp="*" but is not asleep: temperature unknown, spunDown false.
    expect(disk('flash')).toMatchObject({
      role: 'boot',
      typeRaw: 'Flash',
      temperatureC: null,
      spunDown: false,
      sizeBytes: 3956700 * 1024,
    });
  });

  it('unraid-7.3.2: raid2 and raid3 are members of ZFS raidz1 pool "raid"; boot pool and Boot-type flash', async () => {
    const { report, disk } = await byName('unraid-7.3.2');
    expect(disk('raid2')).toMatchObject({
      role: 'pool',
      pool: 'raid',
      device: 'sdb',
      temperatureC: 47,
      filesystem: null,
      sizeBytes: 3907018532 * 1024,
    });
    expect(report.pools.map((p) => [p.name, p.members])).toEqual([
      ['boot_data', ['boot_data']],
      ['cache', ['cache']],
      ['raid', ['raid', 'raid2', 'raid3']],
    ]);
    expect(report.pools.find((p) => p.name === 'raid')).toMatchObject({
      filesystem: 'zfs',
      profile: 'raidz1',
      slots: 3,
      sizeBytes: 7674263762 * 1024,
    });
    expect(report.pools.find((p) => p.name === 'boot_data')?.bootPool).toBe(true);
    expect(disk('flash')).toMatchObject({
      role: 'boot',
      typeRaw: 'Boot',
      temperatureC: 44,
      filesystem: { type: 'zfs', sizeBytes: 31466856 * 1024 },
    });
    expect(disk('parity')).toMatchObject({ present: false, health: 'not installed (empty slot)' });
  });

  it('zfs-pools: raidz2 pool "tank" with four members; disk2 spun down; disk3 disabled and emulated', async () => {
    const { report, disk } = await byName('zfs-pools');
    expect(report.pools.find((p) => p.name === 'tank')).toEqual({
      name: 'tank',
      members: ['tank', 'tank2', 'tank3', 'tank4'],
      slots: 4,
      filesystem: 'zfs',
      profile: 'raidz2',
      status: 'Mounted',
      sizeBytes: 15111704576 * 1024,
      usedBytes: 9436521472 * 1024,
      freeBytes: 5675183104 * 1024,
      bootPool: false,
    });
    expect(disk('disk2')).toMatchObject({ spunDown: true, temperatureC: null, health: 'healthy' });
    expect(disk('disk3')).toMatchObject({
      status: 'DISK_DSBL',
      health: 'disabled — emulated from parity',
      needsAttention: true,
      errors: 1432,
      temperatureC: 38,
    });
    expect(disk('tank4')).toMatchObject({ pool: 'tank', temperatureC: 43 });
  });

  it('parity-check-running: disk3 spun down, cache pool raid1 on two NVMe, single-device ZFS pool "ssd"', async () => {
    const { report, disk } = await byName('parity-check-running');
    expect(report.disks.map((d) => d.name)).toEqual([
      'parity',
      'disk1',
      'disk2',
      'disk3',
      'disk4',
      'parity2',
      'cache',
      'cache2',
      'ssd',
      'flash',
    ]);
    expect(disk('disk3')).toMatchObject({ spunDown: true, temperatureC: null, sizeBytes: 7814026532 * 1024 });
    expect(disk('parity')).toMatchObject({
      temperatureC: 38,
      sizeBytes: 15625879500 * 1024,
      filesystem: null,
      encryption: null,
    });
    expect(disk('cache2')).toMatchObject({ pool: 'cache', temperatureC: 45 });
    expect(report.pools.map((p) => [p.name, p.profile, p.members.length])).toEqual([
      ['cache', 'raid1', 2],
      ['ssd', null, 1],
    ]);
  });
});

describe('pool membership rule', () => {
  it('a numbered section beyond the pool slots starts its own pool; sections are matched by name prefix', () => {
    const ini = parseEmhttpIni(
      [
        '["fast"]',
        'type="Cache"',
        'device="sda"',
        'slots="2"',
        '["fast2"]',
        'type="Cache"',
        'device="sdb"',
        '["fast3"]',
        'type="Cache"',
        'device="sdc"',
        '["slow"]',
        'type="Cache"',
        'device="sdd"',
      ].join('\n'),
    );
    const report = readDisks(ini);
    expect(report.pools.map((p) => [p.name, p.members])).toEqual([
      ['fast', ['fast', 'fast2']],
      ['fast3', ['fast3']],
      ['slow', ['slow']],
    ]);
  });

  it('without spundown, temp="*" on a present rotational disk means spun down', () => {
    const report = readDisks(
      parseEmhttpIni('["disk1"]\ntype="Data"\ndevice="sdb"\nrotational="1"\ntemp="*"\nstatus="DISK_OK"\n'),
    );
    expect(report.disks[0]).toMatchObject({ spunDown: true, temperatureC: null });
  });
});

describe('status and LUKS words', () => {
  it.each([
    ['DISK_DSBL', 'data', true, 'disabled — emulated from parity', true],
    ['DISK_DSBL', 'parity', true, 'disabled — parity is not valid', true],
    ['DISK_NP_DSBL', 'data', true, 'disabled — device missing, contents emulated from parity', true],
    ['DISK_NP_MISSING', 'data', true, 'missing — the assigned device was not found', true],
    [
      'DISK_WRONG',
      'data',
      true,
      'wrong disk — a different device than the one assigned is in this slot',
      true,
    ],
    [
      'DISK_INVALID',
      'parity',
      true,
      'invalid — contents are not valid (needs a parity sync or rebuild)',
      true,
    ],
    ['DISK_NEW', 'pool', true, 'new — device not yet part of the array or pool', false],
    [
      'DISK_DSBL_NEW',
      'data',
      true,
      'disabled — replacement device will be rebuilt when the array starts',
      true,
    ],
    ['DISK_WEIRD', 'data', true, 'unknown status (DISK_WEIRD)', true],
  ] as const)('%s (%s)', (status, role, assigned, health, needsAttention) => {
    expect(describeDiskStatus(status, role, assigned)).toEqual({ health, needsAttention });
  });

  it('maps luksState', () => {
    expect(describeLuksState(0, 'xfs')).toBe('none');
    expect(describeLuksState(0, 'luks:xfs')).toBe('to_be_encrypted');
    expect(describeLuksState(1, 'luks:xfs')).toBe('encrypted');
    expect(describeLuksState(2, null)).toBe('locked_missing_key');
    expect(describeLuksState(3, null)).toBe('locked_wrong_key');
    expect(describeLuksState(9, null)).toBe('locked_error');
    expect(describeLuksState(null, null)).toBeNull();
  });
});
