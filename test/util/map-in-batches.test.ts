import { describe, expect, it } from 'vitest';
import { mapInBatches } from '../../server/util/map-in-batches.js';

describe('mapInBatches', () => {
  it('keeps the order and never runs more than `size` at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapInBatches([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(most).toBe(3);
  });

  it('passes a failure through', async () => {
    await expect(
      mapInBatches([1, 2], 1, (n) => (n === 2 ? Promise.reject(new Error('two')) : Promise.resolve(n))),
    ).rejects.toThrow('two');
  });
});
