import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../server/util/token-buckets.js';

/** Buckets on a clock the test moves by hand. */
function clocked() {
  let now = 0;
  const buckets = new TokenBuckets(() => now);
  return { buckets, advance: (ms: number) => (now += ms) };
}

describe('TokenBuckets', () => {
  it('lets `burst` calls through at once, then says how long until the next token', () => {
    const { buckets } = clocked();
    for (let i = 0; i < 3; i++) expect(buckets.take('a', 10, 3)).toBe(0);
    expect(buckets.take('a', 10, 3)).toBe(100);
  });

  it('refills at the rate, up to the burst, and a refused call takes nothing', () => {
    const { buckets, advance } = clocked();
    buckets.take('a', 4, 2);
    buckets.take('a', 4, 2);
    advance(100);
    expect(buckets.take('a', 4, 2)).toBe(150); // 0.4 of a token back; 0.6 to go at 4 a second
    expect(buckets.take('a', 4, 2)).toBe(150);
    advance(151);
    expect(buckets.take('a', 4, 2)).toBe(0);
    advance(60_000);
    expect(buckets.take('a', 4, 2)).toBe(0);
    expect(buckets.take('a', 4, 2)).toBe(0);
    expect(buckets.take('a', 4, 2)).toBeGreaterThan(0);
  });

  it('sustains exactly the rate for a steady caller', () => {
    const { buckets, advance } = clocked();
    let allowed = 0;
    for (let ms = 0; ms < 10_000; ms += 10) {
      if (buckets.take('a', 25, 5) === 0) allowed++;
      advance(10);
    }
    expect(allowed).toBe(5 + 249); // the burst, then 25 a second for 9.99 s
  });

  it('keeps keys apart', () => {
    const { buckets } = clocked();
    expect(buckets.take('a', 1, 1)).toBe(0);
    expect(buckets.take('a', 1, 1)).toBe(1000);
    expect(buckets.take('b', 1, 1)).toBe(0);
  });

  it('drops refilled buckets once there are many keys, and keeps the ones still in use', () => {
    const { buckets, advance } = clocked();
    for (let i = 0; i < 1000; i++) buckets.take(`k${i}`, 1, 1);
    advance(500);
    buckets.take('busy', 1, 1);
    advance(600);
    buckets.take('new', 1, 1);
    expect(buckets.size).toBe(2);
    expect(buckets.take('busy', 1, 1)).toBe(400); // 0.6 of a token back after 600 ms
  });
});
