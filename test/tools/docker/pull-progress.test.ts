import { describe, expect, it } from 'vitest';
import { PullProgress, type PullEvent } from '../../../server/backends/docker/pull-progress.js';

/**
 * The pull progress aggregator on event sequences recorded from dockerd 20.10 pulling from the local
 * test registry (port normalised to 5000), plus a hand-written interleaving of the statuses Docker
 * Hub pulls produce (Waiting, Retrying, sizes announced late).
 */
const FRESH: PullEvent[] = [
  { status: 'Pulling from umcp/rec', id: '1' },
  { status: 'Pulling fs layer', id: 'cdae4be0af8a' },
  { status: 'Pulling fs layer', id: '1864ae56a37a' },
  { status: 'Downloading', id: 'cdae4be0af8a', progressDetail: { current: 36581, total: 1052297 } },
  { status: 'Downloading', id: '1864ae56a37a', progressDetail: { current: 139, total: 139 } },
  { status: 'Verifying Checksum', id: '1864ae56a37a' },
  { status: 'Download complete', id: '1864ae56a37a' },
  { status: 'Downloading', id: 'cdae4be0af8a', progressDetail: { current: 688128, total: 1052297 } },
  { status: 'Verifying Checksum', id: 'cdae4be0af8a' },
  { status: 'Download complete', id: 'cdae4be0af8a' },
  { status: 'Extracting', id: 'cdae4be0af8a', progressDetail: { current: 32768, total: 1052297 } },
  { status: 'Extracting', id: 'cdae4be0af8a', progressDetail: { current: 884736, total: 1052297 } },
  { status: 'Extracting', id: 'cdae4be0af8a', progressDetail: { current: 1052297, total: 1052297 } },
  { status: 'Pull complete', id: 'cdae4be0af8a' },
  { status: 'Extracting', id: '1864ae56a37a', progressDetail: { current: 139, total: 139 } },
  { status: 'Extracting', id: '1864ae56a37a', progressDetail: { current: 139, total: 139 } },
  { status: 'Pull complete', id: '1864ae56a37a' },
  { status: 'Digest: sha256:401a29ad3239ad4c95ea2912a3bf698a3c12a282b5822e5517924a978fc75527' },
  { status: 'Status: Downloaded newer image for 127.0.0.1:5000/umcp/rec:1' },
];
const UP_TO_DATE: PullEvent[] = [
  { status: 'Pulling from umcp/rec', id: '1' },
  { status: 'Digest: sha256:401a29ad3239ad4c95ea2912a3bf698a3c12a282b5822e5517924a978fc75527' },
  { status: 'Status: Image is up to date for 127.0.0.1:5000/umcp/rec:1' },
];
const SHARED_BASE: PullEvent[] = [
  { status: 'Pulling from umcp/rec', id: '2' },
  { status: 'Already exists', id: 'cdae4be0af8a' },
  { status: 'Pulling fs layer', id: '3c3ade512563' },
  { status: 'Download complete', id: '3c3ade512563' },
  { status: 'Extracting', id: '3c3ade512563', progressDetail: { current: 139, total: 139 } },
  { status: 'Extracting', id: '3c3ade512563', progressDetail: { current: 139, total: 139 } },
  { status: 'Pull complete', id: '3c3ade512563' },
  { status: 'Digest: sha256:fbc0cf761c20450b2cdcc3f8115fd3f024b098179f7c6eed88b81446df40a62a' },
  { status: 'Status: Downloaded newer image for 127.0.0.1:5000/umcp/rec:2' },
];

function run(events: PullEvent[]) {
  const p = new PullProgress();
  const snaps = events.map((e) => (p.update(e), p.snapshot()));
  return { p, snaps, last: snaps.at(-1)! };
}

describe('pull progress aggregation', () => {
  it('a fresh pull: percent rises to 100, bytes add up, the digest and status are kept', () => {
    const { p, snaps, last } = run(FRESH);
    const percents = snaps.map((s) => s.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents[3]).toBeGreaterThan(0);
    expect(percents[3]).toBeLessThan(5);
    // Both downloads complete, nothing extracted yet: 80 % of the work.
    expect(snaps[9]?.percent).toBe(80);
    expect(snaps[9]?.message).toBe('Extracting: 0 of 2 layers done, 1 MiB of 1 MiB');
    expect(snaps[7]?.message).toBe('Downloading: 0 of 2 layers done, 672.1 KiB of 1 MiB');
    expect(last).toMatchObject({
      percent: 100,
      layers: 2,
      layersDone: 2,
      downloadedBytes: 1052436,
      totalBytes: 1052436,
      message: 'Downloaded 1 MiB in 2 layers',
    });
    expect(p).toMatchObject({
      status: 'downloaded',
      digest: 'sha256:401a29ad3239ad4c95ea2912a3bf698a3c12a282b5822e5517924a978fc75527',
      error: null,
    });
  });

  it('an image that is up to date', () => {
    const { p, last } = run(UP_TO_DATE);
    expect(last).toMatchObject({
      percent: 100,
      layers: 0,
      downloadedBytes: 0,
      message: 'Image is up to date',
    });
    expect(p.status).toBe('up_to_date');
  });

  it('layers already on the server weigh nothing and download nothing', () => {
    const { snaps, last } = run(SHARED_BASE);
    // Everything so far is on the server already; 100 waits for Docker's final status.
    expect(snaps[1]).toMatchObject({ percent: 99.9, layers: 1, layersDone: 1, downloadedBytes: 0 });
    // A new layer appears: the percent may not go back down.
    expect(snaps[2]?.percent).toBe(99.9);
    expect(last).toMatchObject({ percent: 100, layers: 2, layersDone: 2, downloadedBytes: 139 });
  });

  it('sizes announced late, waiting and retrying layers: never decreasing, below 100 until Docker is done', () => {
    const events: PullEvent[] = [
      { status: 'Pulling from library/app', id: 'latest' },
      { status: 'Pulling fs layer', id: 'a' },
      { status: 'Pulling fs layer', id: 'b' },
      { status: 'Pulling fs layer', id: 'c' },
      { status: 'Waiting', id: 'c' },
      { status: 'Downloading', id: 'a', progressDetail: { current: 500, total: 1000 } },
      { status: 'Downloading', id: 'b', progressDetail: { current: 100, total: 9000 } },
      { status: 'Retrying in 5 seconds', id: 'b' },
      { status: 'Downloading', id: 'b', progressDetail: { current: 50, total: 9000 } },
      { status: 'Download complete', id: 'a' },
      { status: 'Downloading', id: 'c', progressDetail: { current: 1000, total: 100000 } },
      { status: 'Downloading', id: 'b', progressDetail: { current: 9000, total: 9000 } },
      { status: 'Downloading', id: 'c', progressDetail: { current: 100000, total: 100000 } },
      { status: 'Download complete', id: 'b' },
      { status: 'Download complete', id: 'c' },
      { status: 'Extracting', id: 'a', progressDetail: { current: 1000, total: 1000 } },
      { status: 'Pull complete', id: 'a' },
      { status: 'Pull complete', id: 'b' },
      { status: 'Extracting', id: 'c', progressDetail: { current: 50000, total: 100000 } },
      { status: 'Pull complete', id: 'c' },
    ];
    const { snaps, last } = run(events);
    const percents = snaps.map((s) => s.percent);
    for (let i = 1; i < percents.length; i++)
      expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1] as number);
    // Sizes not known yet count as the average known size: 1000 each while only a's is known…
    expect(snaps[5]?.percent).toBeCloseTo((0.8 * 500 * 100) / 3000, 1);
    // …then b turns out to be 9000: the raw figure drops to 3.2 %, the reported one holds.
    expect(snaps[6]?.percent).toBe(snaps[5]?.percent);
    expect(snaps[4]?.message).toBe('Downloading: 0 of 3 layers done, 0 B');
    // Every layer is done, but Docker has not said so yet.
    expect(last).toMatchObject({
      percent: 99.9,
      layers: 3,
      layersDone: 3,
      downloadedBytes: 110000,
      totalBytes: 110000,
    });
  });

  it('an error event is kept for the caller', () => {
    const p = new PullProgress();
    p.update({ status: 'Pulling from x', id: '1' });
    expect(
      p.update({
        errorDetail: { message: 'unauthorized: authentication required' },
        error: 'unauthorized: authentication required',
      }),
    ).toBe(true);
    expect(p.error).toBe('unauthorized: authentication required');
  });
});
