import { describe, expect, it } from 'vitest';
import {
  blockIo,
  cpuPercent,
  memoryUsage,
  networkTotals,
  summarizeStats,
  type RawStats,
} from '../../../server/backends/docker/stats-math.js';

/** A cgroup v1 sample as a real dockerd returned it (trimmed), for a container in network mode "none". */
const v1: RawStats = {
  read: '2026-11-21T11:45:27.368676055Z',
  pids_stats: { current: 2 },
  blkio_stats: { io_service_bytes_recursive: [] },
  cpu_stats: {
    cpu_usage: { total_usage: 31365147, percpu_usage: [18158241, 13206906] },
    system_cpu_usage: 9219250000000,
    online_cpus: 2,
  },
  precpu_stats: {
    cpu_usage: { total_usage: 31327081, percpu_usage: [18158241, 13168840] },
    system_cpu_usage: 9217260000000,
    online_cpus: 2,
  },
  memory_stats: {
    usage: 565248,
    limit: 25274793984,
    stats: { cache: 0, inactive_file: 0, total_inactive_file: 0, rss: 102400 },
  },
};

describe('Docker CLI stats arithmetic', () => {
  it('CPU %: container delta / system delta × online CPUs × 100', () => {
    // (31365147 − 31327081) / (9219250000000 − 9217260000000) × 2 × 100 = 0.00382...
    expect(cpuPercent(v1)).toEqual({ percent: 0, onlineCpus: 2 });
    const busy: RawStats = {
      cpu_stats: {
        cpu_usage: { total_usage: 2_500_000_000 },
        system_cpu_usage: 8_000_000_000,
        online_cpus: 4,
      },
      precpu_stats: { cpu_usage: { total_usage: 1_500_000_000 }, system_cpu_usage: 4_000_000_000 },
    };
    expect(cpuPercent(busy)).toEqual({ percent: 100, onlineCpus: 4 }); // one core of four, fully busy
    // online_cpus missing (old daemons): count percpu_usage entries
    expect(
      cpuPercent({
        ...busy,
        cpu_stats: {
          cpu_usage: { total_usage: 2_500_000_000, percpu_usage: [1, 2] },
          system_cpu_usage: 8_000_000_000,
        },
      }).onlineCpus,
    ).toBe(2);
    // first sample of a fresh container: no previous counters
    expect(cpuPercent({ cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 0 } }).percent).toBe(0);
  });

  it('memory: usage minus total_inactive_file (cgroup v1) or inactive_file (v2)', () => {
    expect(
      memoryUsage({
        memory_stats: {
          usage: 1000,
          limit: 4000,
          stats: { total_inactive_file: 200, inactive_file: 50, cache: 300 },
        },
      }),
    ).toEqual({
      usedBytes: 800,
      limitBytes: 4000,
      percent: 20,
      cacheBytes: 200,
    });
    expect(
      memoryUsage({ memory_stats: { usage: 1000, limit: 3000, stats: { inactive_file: 100, anon: 900 } } }),
    ).toEqual({ usedBytes: 900, limitBytes: 3000, percent: 30, cacheBytes: 100 });
    // v1 value not below usage: fall through to inactive_file, as the CLI does
    expect(
      memoryUsage({
        memory_stats: { usage: 1000, limit: 0, stats: { total_inactive_file: 5000, inactive_file: 10 } },
      }),
    ).toMatchObject({ usedBytes: 990, percent: 0 });
    // very old v1 without inactive_file: subtract cache
    expect(memoryUsage({ memory_stats: { usage: 1000, limit: 2000, stats: { cache: 400 } } })).toMatchObject({
      usedBytes: 600,
      percent: 30,
    });
    expect(memoryUsage(v1)).toMatchObject({ usedBytes: 565248, limitBytes: 25274793984 });
  });

  it('network and block I/O totals', () => {
    expect(networkTotals(v1)).toBeNull();
    expect(
      networkTotals({
        networks: { eth0: { rx_bytes: 10, tx_bytes: 20 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
      }),
    ).toEqual({ rxBytes: 11, txBytes: 22, interfaces: 2 });
    expect(
      blockIo({
        blkio_stats: {
          io_service_bytes_recursive: [
            { op: 'Read', value: 100 },
            { op: 'Write', value: 50 },
            { op: 'Total', value: 150 }, // cgroup v1, per device
            { op: 'read', value: 1 },
            { op: 'write', value: 2 }, // cgroup v2
          ],
        },
      }),
    ).toEqual({ readBytes: 101, writeBytes: 52 });
    expect(blockIo({ blkio_stats: { io_service_bytes_recursive: null } })).toEqual({
      readBytes: 0,
      writeBytes: 0,
    });
  });

  it('summarises a whole sample', () => {
    expect(summarizeStats(v1)).toEqual({
      cpuPercent: 0,
      onlineCpus: 2,
      memory: { usedBytes: 565248, limitBytes: 25274793984, percent: 0, cacheBytes: 0 },
      network: null,
      blockIo: { readBytes: 0, writeBytes: 0 },
      pids: 2,
    });
  });
});
