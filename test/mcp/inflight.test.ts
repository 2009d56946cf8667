import { describe, expect, it } from 'vitest';
import { InflightTracker } from '../../server/mcp/inflight.js';
import { ServiceShutdown, abortedByShutdown } from '../../server/errors/service-shutdown.js';

/** Work that waits until its signal aborts, then rejects with the signal's reason. */
const untilAborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
  );

describe('InflightTracker', () => {
  it("gives each call a signal of its own that follows the client's cancellation, with the client's reason", async () => {
    const tracker = new InflightTracker();
    const client = new AbortController();
    let seen: AbortSignal | null = null;
    const answer = tracker.run(client.signal, (signal) => ((seen = signal), untilAborted(signal)));
    expect(seen).not.toBe(client.signal);
    expect(tracker.count).toBe(1);
    const reason = new Error('user pressed stop');
    client.abort(reason);
    await expect(answer).rejects.toBe(reason);
    expect(abortedByShutdown(seen as unknown as AbortSignal)).toBe(false);
    expect(tracker.count).toBe(0);
  });

  it('abortAll aborts every running call with the shutdown reason, which a later client abort does not replace', async () => {
    const tracker = new InflightTracker();
    const client = new AbortController();
    const signals: AbortSignal[] = [];
    const answers = [1, 2].map(() =>
      tracker.run(client.signal, (signal) => (signals.push(signal), untilAborted(signal))),
    );
    const shutdown = new ServiceShutdown();
    expect(tracker.abortAll(shutdown)).toBe(2);
    // The SDK aborts every request's signal when the session closes, after the shutdown's abort.
    client.abort();
    for (const a of answers) await expect(a).rejects.toBe(shutdown);
    for (const s of signals) expect(abortedByShutdown(s)).toBe(true);
  });

  it('starts a call that arrives after abortAll with its signal already aborted for the shutdown', async () => {
    const tracker = new InflightTracker();
    tracker.abortAll(new ServiceShutdown());
    let seen: AbortSignal | null = null;
    await tracker.run(new AbortController().signal, (signal) => ((seen = signal), Promise.resolve('ran')));
    expect(abortedByShutdown(seen as unknown as AbortSignal)).toBe(true);
  });

  it('drain waits for the calls up to the deadline and says how many are still running', async () => {
    const tracker = new InflightTracker();
    const never = new AbortController().signal;
    void tracker.run(never, () => new Promise((r) => setTimeout(r, 20)));
    const stuck = tracker.run(never, untilAborted);
    const started = performance.now();
    expect(await tracker.drain(150)).toBe(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    tracker.abortAll(new ServiceShutdown());
    await expect(stuck).rejects.toBeInstanceOf(ServiceShutdown);
    expect(await tracker.drain(1_000)).toBe(0);
  });

  it('turns a synchronous throw of the work into a rejection, and forgets the call', async () => {
    const tracker = new InflightTracker();
    const boom = new Error('boom');
    await expect(
      tracker.run(new AbortController().signal, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(tracker.count).toBe(0);
  });
});
