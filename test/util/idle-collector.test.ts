import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdleCollector } from '../../server/util/idle-collector.js';

const MB = 1024 * 1024;

describe('IdleCollector', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(heap: { size: number }) {
    vi.useFakeTimers();
    const collect = vi.fn(() => {
      heap.size = 30 * MB;
    });
    const idle = new IdleCollector({
      collect,
      heapSize: () => heap.size,
      quietMs: 10_000,
      growthBytes: 16 * MB,
      now: () => Date.now(),
    });
    return { idle, collect };
  }

  it('collects once, after requests have stopped for the quiet time, when the heap has grown', () => {
    const heap = { size: 30 * MB };
    const { idle, collect } = setup(heap);
    for (let s = 0; s < 60; s++) {
      idle.touch();
      heap.size += 2 * MB;
      vi.advanceTimersByTime(1000);
    }
    expect(collect).not.toHaveBeenCalled(); // still busy: never in the middle of the work
    // The last request was 1 s ago: 9 s more make the quiet time.
    vi.advanceTimersByTime(8_999);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('leaves a heap alone that has not grown enough (a stray health check or scrape)', () => {
    const heap = { size: 30 * MB };
    const { idle, collect } = setup(heap);
    idle.touch();
    heap.size += 1 * MB;
    vi.advanceTimersByTime(20_000);
    expect(collect).not.toHaveBeenCalled();
  });

  it('measures growth from the heap left by its last collection', () => {
    const heap = { size: 30 * MB };
    const { idle, collect } = setup(heap);
    idle.touch();
    heap.size = 60 * MB;
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(1);
    idle.touch();
    heap.size = 40 * MB; // 10 MB over what the collection left
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(1);
    idle.touch();
    heap.size = 50 * MB;
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(2);
  });

  it('does nothing after stop', () => {
    const heap = { size: 30 * MB };
    const { idle, collect } = setup(heap);
    idle.touch();
    heap.size = 90 * MB;
    idle.stop();
    vi.advanceTimersByTime(60_000);
    expect(collect).not.toHaveBeenCalled();
  });
});
