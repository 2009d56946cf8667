import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createHostReader } from '../../../server/backends/host/host-reader.js';
import { BackendUnavailableError } from '../../../server/errors/backend-unavailable-error.js';
import { fixtureReader, tempDir } from './testdata.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const NOT_UNRAID =
  'emhttp state (var.ini) was not found — this does not look like an Unraid server, or its array service (emhttp) has not started yet. system_overview still works.';

describe('host reader on a plain Linux host (this machine, no emhttp state)', () => {
  it('overview works from the real /proc and /sys with Unraid fields null', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const host = createHostReader({ procRoot: '/proc', sysRoot: '/sys', emhttpRoot: t.dir });
    const o = await host.overview();
    expect(o.unraid).toBeNull();
    expect(o.hostname).toBe(os.hostname());
    expect(o.kernel).toBe(os.release());
    expect(o.cpu?.logicalCores).toBe(os.cpus().length);
    expect(o.cpu?.perCore).toHaveLength(os.cpus().length);
    expect(o.cpu?.usagePercent).toBeGreaterThanOrEqual(0);
    expect(o.cpu?.usagePercent).toBeLessThanOrEqual(100);
    // sysinfo(2) and /proc/meminfo report the same MemTotal.
    expect(Math.abs((o.memory?.totalBytes ?? 0) - os.totalmem()) / os.totalmem()).toBeLessThan(0.01);
    expect(o.uptimeSeconds).toBeGreaterThan(0);
    expect(Math.abs((o.uptimeSeconds ?? 0) - os.uptime())).toBeLessThan(5);
    expect(o.load?.one).toBeCloseTo(os.loadavg()[0] ?? 0, 0);
    expect(Array.isArray(o.temperatures)).toBe(true);
  });

  it.each(['arrayStatus', 'disks', 'shares'] as const)(
    '%s throws BackendUnavailableError with a plain message',
    async (method) => {
      const t = await tempDir();
      cleanup = t.cleanup;
      const host = createHostReader({ procRoot: '/proc', sysRoot: '/sys', emhttpRoot: t.dir });
      const err = await host[method]().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendUnavailableError);
      expect((err as BackendUnavailableError).code).toBe('backend_unavailable');
      expect((err as Error).message).toBe(NOT_UNRAID);
    },
  );
});

describe('host reader on the demo fixtures', () => {
  it('overview combines testdata/proc, testdata/sys and var.ini', async () => {
    const o = await fixtureReader('parity-check-running').overview();
    expect(o).toMatchObject({
      hostname: 'Tower',
      kernel: '6.12.24-Unraid',
      uptimeSeconds: 1284560,
      unraid: {
        version: '7.1.4',
        serverName: 'Tower',
        description: 'Media server',
        arrayState: 'STARTED',
        filesystemState: 'Started',
      },
      load: { one: 2.41, five: 2.87, fifteen: 2.95 },
      cpu: { model: 'Intel(R) Core(TM) i5-7600 CPU @ 3.50GHz', logicalCores: 4, basis: 'since_boot' },
      memory: { totalBytes: 32792356 * 1024, zfsArcBytes: 4118519808 },
    });
    expect(o.temperatures).toHaveLength(13);
    expect(o.fans).toHaveLength(2);
  });

  it('a missing proc or sys root yields nulls and empty lists, not an error', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const o = await createHostReader({ procRoot: t.dir, sysRoot: t.dir, emhttpRoot: t.dir }).overview();
    expect(o).toEqual({
      hostname: null,
      kernel: null,
      uptimeSeconds: null,
      unraid: null,
      load: null,
      cpu: null,
      memory: null,
      temperatures: [],
      fans: [],
    });
  });
});
