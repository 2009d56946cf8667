import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  readCpuModel,
  readHostname,
  readKernelRelease,
  readLoadAverage,
  readMemory,
  readUptime,
} from '../../../server/backends/host/procfs.js';
import { copyOf, PROC, tempDir } from './testdata.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('procfs readers on testdata/proc', () => {
  it('reads host identity, uptime and load', async () => {
    expect(await readHostname(PROC)).toBe('Tower');
    expect(await readKernelRelease(PROC)).toBe('6.12.24-Unraid');
    expect(await readUptime(PROC)).toBe(1284560);
    expect(await readLoadAverage(PROC)).toEqual({ one: 2.41, five: 2.87, fifteen: 2.95 });
    expect(await readCpuModel(PROC)).toBe('Intel(R) Core(TM) i5-7600 CPU @ 3.50GHz');
  });

  it('reads memory in bytes (kB × 1024), used = total − available, and the ZFS ARC size', async () => {
    expect(await readMemory(PROC)).toEqual({
      totalBytes: 32792356 * 1024,
      usedBytes: (32792356 - 18923456) * 1024,
      availableBytes: 18923456 * 1024,
      freeBytes: 9875432 * 1024,
      buffersBytes: 15320 * 1024,
      cachedBytes: 8234560 * 1024,
      swap: { totalBytes: 8388604 * 1024, usedBytes: (8388604 - 8123388) * 1024, freeBytes: 8123388 * 1024 },
      zfsArcBytes: 4118519808,
    });
  });

  it('reports zfsArcBytes null without ZFS and estimates available on kernels without MemAvailable', async () => {
    const t = await copyOf('proc');
    cleanup = t.cleanup;
    await rm(join(t.dir, 'spl'), { recursive: true });
    await writeFile(
      join(t.dir, 'meminfo'),
      'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n',
    );
    expect(await readMemory(t.dir)).toMatchObject({
      totalBytes: 1000 * 1024,
      availableBytes: 400 * 1024,
      usedBytes: 600 * 1024,
      swap: { totalBytes: 0, usedBytes: 0, freeBytes: 0 },
      zfsArcBytes: null,
    });
  });

  it('returns null for every reader when the files are absent', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    expect(await readHostname(t.dir)).toBeNull();
    expect(await readUptime(t.dir)).toBeNull();
    expect(await readLoadAverage(t.dir)).toBeNull();
    expect(await readMemory(t.dir)).toBeNull();
    expect(await readCpuModel(t.dir)).toBeNull();
  });
});
