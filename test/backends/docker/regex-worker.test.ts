import { describe, expect, it } from 'vitest';
import { MAX_REGEX_WORKERS, RegexWorker } from '../../../server/backends/docker/regex-worker.js';
import { SafeRegex } from '../../../server/backends/docker/safe-regex.js';

const regex = new SafeRegex('^err(or)?\\b', true);
const settled = async (p: Promise<unknown>) =>
  Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 100))]);

describe('RegexWorker', () => {
  it('answers one byte per line, case folding as the pattern says', async () => {
    const w = await RegexWorker.start(regex);
    try {
      expect([...(await w.match(['ERROR: disk full', 'err x', 'no error', '']))]).toEqual([1, 1, 0, 0]);
    } finally {
      await w.terminate();
    }
  });

  it(`runs at most ${MAX_REGEX_WORKERS} at once; the next search waits for a free one`, async () => {
    const first = await Promise.all(
      Array.from({ length: MAX_REGEX_WORKERS }, () => RegexWorker.start(regex)),
    );
    const waiting = RegexWorker.start(regex);
    expect(await settled(waiting)).toBe(false);
    await first[0]?.terminate();
    expect(await settled(waiting)).toBe(true);
    await Promise.all([...first.slice(1), await waiting].map((w) => w?.terminate()));
  });

  it('gives up waiting when the call ends, without taking a slot', async () => {
    const busy = await Promise.all(Array.from({ length: MAX_REGEX_WORKERS }, () => RegexWorker.start(regex)));
    const abort = new AbortController();
    const waiting = RegexWorker.start(regex, abort.signal);
    abort.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
    await Promise.all(busy.map((w) => w.terminate()));
    // Both slots are free again: as many workers as the limit start at once.
    const again = await Promise.all(
      Array.from({ length: MAX_REGEX_WORKERS }, () => RegexWorker.start(regex)),
    );
    await Promise.all(again.map((w) => w.terminate()));
  });

  it('rejects a batch at once when the signal aborts, and terminate stops the thread', async () => {
    const w = await RegexWorker.start(new SafeRegex('a.{0,240}x.{0,240}[^abxyz]', false));
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const lines = Array.from({ length: 50 }, () =>
      Array.from({ length: 4095 }, () => 'abx'[Math.floor(rand() * 3)]).join(''),
    );
    const abort = new AbortController();
    const started = performance.now();
    setTimeout(() => abort.abort(new Error('cancelled')), 100);
    await expect(w.match(lines, abort.signal)).rejects.toThrow('cancelled');
    expect(performance.now() - started).toBeLessThan(500);
    await w.terminate();
    await expect(w.match(['x'])).rejects.toThrow(/stopped/);
  });
});
