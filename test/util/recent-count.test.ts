import { describe, expect, it } from 'vitest';
import { RecentCount } from '../../server/util/recent-count.js';

describe('RecentCount', () => {
  it('counts what happened within the window and forgets what is older', () => {
    let now = 10 * 60_000;
    const count = new RecentCount(60_000, 60, () => now);
    count.add();
    count.add(2);
    now += 30 * 60_000;
    count.add();
    expect(count.total()).toBe(4);
    now += 31 * 60_000; // the first three are now 61 minutes old
    expect(count.total()).toBe(1);
    now += 60 * 60_000;
    expect(count.total()).toBe(0);
  });

  it('starts a reused bucket over instead of adding to a count from a window ago', () => {
    let now = 0;
    const count = new RecentCount(1000, 3, () => now);
    count.add(5);
    now = 3000; // same slot, one whole window later
    count.add();
    expect(count.total()).toBe(1);
  });
});
