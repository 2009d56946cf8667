import { describe, expect, it } from 'vitest';
import { reuseResult } from '../../server/util/reuse-result.js';

describe('reuseResult', () => {
  it('shares one read between concurrent and recent callers, and reads again when it is old', async () => {
    const clock = { t: 0 };
    let reads = 0;
    const get = reuseResult(async () => ++reads, 1000, { now: () => clock.t });
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    clock.t = 1000;
    expect(await get()).toBe(1);
    clock.t = 1001;
    expect(await get()).toBe(2);
  });

  it('forgets a failure at once unless told to keep it', async () => {
    let n = 0;
    const flaky = reuseResult(async () => {
      if (++n === 1) throw new Error('first fails');
      return n;
    }, 60_000);
    await expect(flaky()).rejects.toThrow('first fails');
    expect(await flaky()).toBe(2);

    let m = 0;
    const sticky = reuseResult(
      async () => {
        m++;
        throw new Error('down');
      },
      60_000,
      { keepFailures: true },
    );
    await expect(sticky()).rejects.toThrow('down');
    await expect(sticky()).rejects.toThrow('down');
    expect(m).toBe(1);
  });
});
