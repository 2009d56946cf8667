import { describe, expect, it } from 'vitest';
import { describeArrayState } from '../../../server/backends/host/array-status.js';
import { readSyncOperation } from '../../../server/backends/host/sync-operation.js';
import type { UnraidVar } from '../../../server/backends/host/var-ini.js';
import { fixtureReader } from './testdata.js';

describe('arrayStatus on each fixture set', () => {
  it('parity-check-running: a correcting parity check at 62.49 %, speed and ETA from mdResyncDb/Dt', async () => {
    const s = await fixtureReader('parity-check-running').arrayStatus();
    // From var.ini: mdResyncPos=9765000000, mdResyncSize=15625879500 (KiB), mdResyncDb=1005440 KiB over mdResyncDt=5 s.
    const pos = 9765000000;
    const size = 15625879500;
    expect(s.arrayState).toBe('STARTED');
    expect(s.started).toBe(true);
    expect(s.operation).toEqual({
      kind: 'parity_check',
      description: 'parity check — writing corrections to parity',
      rawAction: 'check P',
      targets: ['parity'],
      correcting: true,
      paused: false,
      percent: Math.round((pos / size) * 10000) / 100,
      positionBytes: pos * 1024,
      totalBytes: size * 1024,
      speedBytesPerSecond: Math.round((1005440 * 1024) / 5),
      etaSeconds: Math.round(((size - pos) * 5) / 1005440),
      startedAt: '2025-06-01T00:30:00.000Z',
      errorsSoFar: 0,
    });
    expect(s.operation?.percent).toBe(62.49);
    expect(s.operation?.speedBytesPerSecond).toBe(205914112);
    expect(s.operation?.etaSeconds).toBe(29146);
    // While running, sbSynced is the current start; only the previous end (sbSynced2) is known.
    expect(s.lastCheck).toMatchObject({
      finishedAt: '2025-05-01T21:47:33.000Z',
      startedAt: null,
      durationSeconds: null,
      result: 'unknown',
    });
    expect(s.diskCounts.fromVarIni).toEqual({ arrayDevices: 4, disabled: 1, invalid: 1, missing: 0, new: 0 });
    expect(s.diskCounts.fromDisksIni).toEqual({
      parity: 1,
      data: 3,
      emptySlots: 2,
      healthy: 4,
      disabled: 0,
      invalid: 0,
      missing: 0,
      wrong: 0,
      new: 0,
      spunDown: 1,
      pools: 2,
      poolDevices: 3,
    });
  });

  it('parity-check-paused: paused (mdResyncDt=0) with no speed or ETA, non-correcting, disks.ini absent', async () => {
    const s = await fixtureReader('parity-check-paused').arrayStatus();
    expect(s.operation).toMatchObject({
      kind: 'parity_check',
      paused: true,
      correcting: false,
      percent: Math.round((4102567936 / 15625879500) * 10000) / 100,
      positionBytes: 4102567936 * 1024,
      speedBytesPerSecond: null,
      etaSeconds: null,
    });
    expect(s.operation?.percent).toBe(26.25);
    expect(s.operation?.description).toBe('parity check — read-only, no corrections');
    expect(s.diskCounts.fromDisksIni).toBeNull();
  });

  it('unraid-6.11: stopped array, last check succeeded in 3197 s', async () => {
    const s = await fixtureReader('unraid-6.11').arrayStatus();
    expect(s.arrayState).toBe('STOPPED');
    expect(s.started).toBe(false);
    expect(s.filesystemProgress).toBe('Autostart disabled');
    expect(s.operation).toBeNull();
    expect(s.lastCheck).toEqual({
      time: new Date(1586822456 * 1000).toISOString(),
      startedAt: new Date(1586819259 * 1000).toISOString(),
      finishedAt: new Date(1586822456 * 1000).toISOString(),
      durationSeconds: 1586822456 - 1586819259,
      errors: 0,
      exitCode: 0,
      result: 'success',
      resultDescription: 'completed successfully',
    });
    // mdNumDisabled/Invalid count the unassigned parity2 slot; disks.ini shows it as an empty slot.
    expect(s.diskCounts.fromVarIni).toEqual({ arrayDevices: 4, disabled: 1, invalid: 1, missing: 0, new: 0 });
    expect(s.diskCounts.fromDisksIni).toMatchObject({
      parity: 1,
      data: 3,
      emptySlots: 20,
      disabled: 0,
      pools: 1,
      poolDevices: 2,
    });
  });

  it('unraid-7.3.1: last check cancelled by the user (sbSyncExit -4) after 27 s; no disks.ini', async () => {
    const s = await fixtureReader('unraid-7.3.1').arrayStatus();
    expect(s.arrayState).toBe('STARTED');
    expect(s.lastCheck).toMatchObject({ durationSeconds: 27, exitCode: -4, result: 'cancelled', errors: 0 });
    expect(s.lastCheck?.finishedAt).toBe('2026-01-13T05:16:43.000Z');
    expect(s.diskCounts.fromVarIni).toEqual({ arrayDevices: 5, disabled: 1, invalid: 1, missing: 0, new: 0 });
    expect(s.diskCounts.fromDisksIni).toBeNull();
  });

  it('unraid-7.3.2: never checked (sbSynced=0), one data disk, three pools', async () => {
    const s = await fixtureReader('unraid-7.3.2').arrayStatus();
    expect(s.lastCheck).toBeNull();
    expect(s.operation).toBeNull();
    expect(s.diskCounts.fromDisksIni).toMatchObject({
      parity: 0,
      data: 1,
      emptySlots: 3,
      pools: 3,
      poolDevices: 5,
    });
  });

  it('zfs-pools: a disabled disk, mover running, last check ended with error -5 and 128 errors', async () => {
    const s = await fixtureReader('zfs-pools').arrayStatus();
    expect(s.moverActive).toBe(true);
    expect(s.lastCheck).toMatchObject({
      durationSeconds: 31821,
      errors: 128,
      exitCode: -5,
      result: 'error',
      resultDescription: 'stopped with error code -5',
    });
    expect(s.diskCounts.fromDisksIni).toMatchObject({
      parity: 1,
      data: 3,
      healthy: 3,
      disabled: 1,
      spunDown: 1,
      pools: 3,
      poolDevices: 6,
    });
  });
});

const idle: UnraidVar = {
  version: null,
  serverName: null,
  comment: null,
  mdState: 'STARTED',
  fsState: null,
  fsProgress: null,
  mdNumDisks: null,
  mdNumDisabled: null,
  mdNumInvalid: null,
  mdNumMissing: null,
  mdNumNew: null,
  mdResync: 0,
  mdResyncPos: 0,
  mdResyncSize: 1000,
  mdResyncDb: 0,
  mdResyncDt: 0,
  mdResyncAction: null,
  mdResyncCorr: 0,
  sbSynced: 0,
  sbSynced2: 0,
  sbSyncErrs: 0,
  sbSyncExit: 0,
  shareMoverActive: null,
};
const running = (action: string) => ({
  ...idle,
  mdResync: 1000,
  mdResyncPos: 250,
  mdResyncDb: 10,
  mdResyncDt: 2,
  mdResyncAction: action,
});

describe('readSyncOperation', () => {
  it('is null when idle', () => expect(readSyncOperation(idle)).toBeNull());

  it.each([
    ['check P', 'parity_check', ['parity'], 'parity check'],
    ['check P Q', 'parity_check', ['parity', 'parity2'], 'parity check (parity and parity2)'],
    ['check', 'read_check', [], 'read check — no valid parity, so every disk is read to find read errors'],
    ['recon P', 'parity_sync', ['parity'], 'parity sync — building parity'],
    ['recon Q', 'parity_sync', ['parity2'], 'parity sync — building parity2'],
    ['recon D5', 'data_rebuild', ['disk5'], 'data rebuild — reconstructing disk5 from parity'],
    ['clear', 'disk_clear', [], 'disk clear — zeroing a newly added disk'],
    ['frobnicate', 'unknown', [], 'unknown array operation'],
  ])('classifies %s', (action, kind, targets, description) => {
    const op = readSyncOperation({ ...running(action), mdResyncCorr: null });
    expect(op).toMatchObject({
      kind,
      targets,
      description,
      percent: 25,
      speedBytesPerSecond: 5120,
      etaSeconds: 150,
    });
  });

  it('correcting is only reported for parity checks', () => {
    expect(readSyncOperation({ ...running('recon D1'), mdResyncCorr: 1 })?.correcting).toBeNull();
    expect(readSyncOperation({ ...running('check P'), mdResyncCorr: 1 })?.correcting).toBe(true);
  });

  it('a running operation with no progress in the last interval has speed 0 and no ETA', () => {
    expect(readSyncOperation({ ...running('check P'), mdResyncDb: 0 })).toMatchObject({
      speedBytesPerSecond: 0,
      etaSeconds: null,
      paused: false,
    });
  });
});

describe('describeArrayState', () => {
  it('turns raw md states into words', () => {
    expect(describeArrayState('STARTED')).toMatch(/^started/);
    expect(describeArrayState('NEW_ARRAY')).toMatch(/^new array/);
    expect(describeArrayState('ERROR:TOO_MANY_MISSING_DISKS')).toBe(
      'error — too many missing disks; the array cannot start until it is fixed',
    );
    expect(describeArrayState(null)).toMatch(/^unknown/);
  });
});
