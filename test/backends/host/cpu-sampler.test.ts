import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCpuSampler, parseProcStat } from '../../../server/backends/host/cpu-sampler.js';
import { copyOf, PROC } from './testdata.js';

/** Adds per-core deltas [user, nice, system, idle, iowait] to a /proc/stat text and recomputes the aggregate line. */
function advance(stat: string, deltas: number[][]): string {
  const lines = stat.split('\n');
  const cores: number[][] = [];
  const out = lines.map((line) => {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (!m) return line;
    const values = (m[2] ?? '').split(' ').map(Number);
    const d = deltas[Number(m[1])] ?? [];
    const next = values.map((v, i) => v + (d[i] ?? 0));
    cores.push(next);
    return `cpu${m[1]} ${next.join(' ')}`;
  });
  const agg = (cores[0] ?? []).map((_, i) => cores.reduce((sum, c) => sum + (c[i] ?? 0), 0));
  return out.map((line) => (line.startsWith('cpu ') ? `cpu  ${agg.join(' ')}` : line)).join('\n');
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('cpu sampler', () => {
  it('falls back to the since-boot average when no ticks elapsed (static fixture)', async () => {
    const usage = await createCpuSampler(PROC).read();
    // testdata/proc/stat cpu0: user 15873402 nice 21877 system 6120544 idle 98213877 iowait 7924511 softirq 301244.
    const total0 = 15873402 + 21877 + 6120544 + 98213877 + 7924511 + 301244;
    const busy0 = total0 - 98213877 - 7924511;
    expect(usage?.basis).toBe('since_boot');
    expect(usage?.logicalCores).toBe(4);
    expect(usage?.perCore[0]).toEqual({ core: 0, usagePercent: Math.round((busy0 / total0) * 1000) / 10 });
    expect(usage?.perCore.map((c) => c.usagePercent)).toEqual([17.4, 16.4, 17.5, 16.4]);
    expect(usage?.usagePercent).toBe(16.9);
    expect(usage?.iowaitPercent).toBe(5.9);
    // Since boot the window is the whole uptime: aggregate jiffies / 4 cores / 100 Hz.
    expect(usage?.intervalSeconds).toBe(1282686.45);
  });

  it('measures the interval since the previous sample, per core, without sleeping', async () => {
    const t = await copyOf('proc');
    cleanup = t.cleanup;
    const sampler = createCpuSampler(t.dir);
    expect((await sampler.read())?.basis).toBe('since_boot');

    const stat = await readFile(join(t.dir, 'stat'), 'utf8');
    // 100 jiffies (1 s) per core: core0 25 % busy, core1 50 %, core2 75 % (5 jiffies iowait), core3 idle.
    await writeFile(
      join(t.dir, 'stat'),
      advance(stat, [
        [25, 0, 0, 75, 0],
        [40, 0, 10, 50, 0],
        [60, 0, 15, 20, 5],
        [0, 0, 0, 100, 0],
      ]),
    );
    const usage = await sampler.read();
    expect(usage).toEqual({
      logicalCores: 4,
      usagePercent: 37.5,
      iowaitPercent: 1.3,
      perCore: [
        { core: 0, usagePercent: 25 },
        { core: 1, usagePercent: 50 },
        { core: 2, usagePercent: 75 },
        { core: 3, usagePercent: 0 },
      ],
      basis: 'interval',
      intervalSeconds: 1,
    });

    // A second call within the same jiffy has nothing to measure: since-boot again, and it says so.
    const again = await sampler.read();
    expect(again?.basis).toBe('since_boot');
  });

  it('works when /proc/stat was missing at start-up and returns null while it is absent', async () => {
    const t = await copyOf('proc');
    cleanup = t.cleanup;
    const stat = await readFile(join(t.dir, 'stat'), 'utf8');
    await rm(join(t.dir, 'stat'));
    const sampler = createCpuSampler(t.dir);
    expect(await sampler.read()).toBeNull();
    await writeFile(join(t.dir, 'stat'), stat);
    expect((await sampler.read())?.basis).toBe('since_boot');
  });

  it('parseProcStat ignores non-cpu lines and returns null without an aggregate line', () => {
    expect(parseProcStat('intr 1 2 3\nctxt 5\n')).toBeNull();
    expect(parseProcStat('cpu  1 0 1 8 0 0 0 0 0 0\ncpu0 1 0 1 8 0 0 0 0 0 0\n')?.cores.size).toBe(1);
  });
});
