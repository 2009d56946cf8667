import { describe, expect, it } from 'vitest';
import { readStorage } from '../../../server/backends/host/shares-ini.js';
import { fixtureReader } from './testdata.js';

describe('shares on each fixture set', () => {
  it('unraid-6.11: six shares including dotted and emoji names; KiB × 1024; size 0 means not computed', async () => {
    const shares = await fixtureReader('unraid-6.11').shares();
    expect(shares.map((s) => s.name)).toEqual([
      'appdata',
      'domains',
      'isos',
      'system',
      'system.with.periods',
      'system.with.🚀',
    ]);
    expect(shares.find((s) => s.name === 'system.with.🚀')).toMatchObject({
      comment: 'system data with 🚀',
      splitLevel: '1',
    });
    expect(shares.find((s) => s.name === 'domains')).toMatchObject({
      comment: 'saved VM instances',
      allocator: 'highwater',
      splitLevel: '1',
      floorBytes: 0,
      includeDisks: [],
      excludeDisks: [],
      storage: {
        useCache: 'prefer',
        primary: 'cache',
        secondary: 'array',
        moverDirection: 'secondary_to_primary',
      },
      cow: 'auto',
      sizeBytes: null,
      usedBytes: 32831348 * 1024,
      freeBytes: 9091184 * 1024,
      encryption: 'none',
    });
    expect(shares[0]?.storage).toMatchObject({
      useCache: 'no',
      primary: 'array',
      secondary: null,
      description: 'array only — files are written to the array; no pool is used',
    });
  });

  it('parity-check-running: media allocation, computed size, cachePool2 secondary for downloads', async () => {
    const shares = await fixtureReader('parity-check-running').shares();
    expect(shares).toHaveLength(7);
    expect(shares.find((s) => s.name === 'media')).toMatchObject({
      allocator: 'highwater',
      splitLevel: '1',
      floorBytes: 52428800 * 1024,
      includeDisks: ['disk1', 'disk2', 'disk3'],
      sizeBytes: 29876543210 * 1024,
      freeBytes: 7042961004 * 1024,
      storage: { primary: 'array', secondary: null },
    });
    expect(shares.find((s) => s.name === 'downloads')).toMatchObject({
      allocator: 'fillup',
      cow: 'no',
      storage: {
        useCache: 'yes',
        cachePool: 'cache',
        cachePool2: 'ssd',
        primary: 'cache',
        secondary: 'ssd',
        moverDirection: 'primary_to_secondary',
        description: "new files land on pool 'cache'; the mover moves them to pool 'ssd'",
      },
    });
    expect(shares.find((s) => s.name === 'backups')).toMatchObject({
      allocator: 'mostfree',
      excludeDisks: ['disk1'],
    });
  });

  it('zfs-pools: a dotted share name, split level 2, include/exclude lists', async () => {
    const shares = await fixtureReader('zfs-pools').shares();
    expect(shares.find((s) => s.name === 'backup.daily')?.storage).toMatchObject({
      primary: 'tank',
      secondary: 'array',
    });
    expect(shares.find((s) => s.name === 'media')).toMatchObject({
      splitLevelDescription: 'automatic — split only the top 2 directory levels as required',
      floorBytes: 104857600 * 1024,
      includeDisks: ['disk1', 'disk2'],
      excludeDisks: ['disk3'],
    });
  });
});

describe('readStorage', () => {
  it('only, prefer with a secondary pool, and unknown values', () => {
    expect(readStorage('only', 'cache', null)).toMatchObject({
      primary: 'cache',
      secondary: null,
      moverDirection: null,
    });
    expect(readStorage('prefer', 'fast', 'tank')).toMatchObject({
      primary: 'fast',
      secondary: 'tank',
      moverDirection: 'secondary_to_primary',
    });
    expect(readStorage('sometimes', null, null)).toMatchObject({
      primary: null,
      description: 'unrecognised setting (sometimes)',
    });
    expect(readStorage(null, null, null).description).toBe('not set');
  });
});
