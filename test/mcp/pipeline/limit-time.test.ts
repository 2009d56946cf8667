import { describe, expect, it } from 'vitest';
import { limitTime } from '../../../server/mcp/pipeline/limit-time.js';
import type { ToolCall } from '../../../server/mcp/pipeline/tool-call.js';
import { ToolError } from '../../../server/errors/tool-error.js';
import { ServiceShutdown } from '../../../server/errors/service-shutdown.js';
import { defineTool } from '../../../server/tools/define-tool.js';
import { testSlow } from '../../helpers/test-tools.js';
import { nextStub, rejectionOf, sleep, testCall } from '../../helpers/pipeline-call.js';

/** A next that keeps the call it got and waits `ms`, settling early (rejecting) if its signal aborts. */
function waiting(ms: number, honours = true) {
  return nextStub<unknown>(
    (call: ToolCall) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => resolve('finished'), ms);
        if (honours)
          call.signal.addEventListener('abort', () => (clearTimeout(t), reject(new Error('aborted'))), {
            once: true,
          });
      }),
  );
}

describe('limitTime', () => {
  it('gives next a signal of its own, live, on a copy of the call, and returns what next returns', async () => {
    const next = nextStub<unknown>(() => 'done');
    const clientSignal = new AbortController().signal;
    const call = testCall(testSlow, { signal: clientSignal, args: { steps: 1, delayMs: 0 } });
    expect(await limitTime(next)(call)).toBe('done');
    const seen = next.calls[0] as ToolCall;
    expect(seen.signal).not.toBe(clientSignal);
    expect(seen.signal.aborted).toBe(false);
    // Everything else is the call as it came; the call itself keeps the client's signal.
    expect(seen).not.toBe(call);
    expect({ ...seen, signal: null }).toEqual({ ...call, signal: null });
    expect(call.signal).toBe(clientSignal);
  });

  it("stops the call at the settings' tool timeout with ToolError timeout, and aborts the tool's signal", async () => {
    const next = waiting(5_000);
    const call = testCall(testSlow, { settings: { toolTimeoutMs: 40 } });
    const started = performance.now();
    const err = await rejectionOf(limitTime(next)(call));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({
      code: 'timeout',
      message: 'test_slow did not finish within 0.04 s. The server may be busy; try again later.',
    });
    const signal = (next.calls[0] as ToolCall).signal;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(err);
  });

  it('settles at the deadline even when the tool ignores its signal', async () => {
    const next = waiting(400, false);
    const started = performance.now();
    const err = await rejectionOf(limitTime(next)(testCall(testSlow, { settings: { toolTimeoutMs: 30 } })));
    expect(err).toMatchObject({ code: 'timeout' });
    expect(performance.now() - started).toBeLessThan(300);
  });

  it('gives a tool with a longer timeout of its own that longer time', async () => {
    const patient = defineTool({ ...testSlow, name: 'test_patient', timeoutMs: 1_000 });
    expect(await limitTime(waiting(80))(testCall(patient, { settings: { toolTimeoutMs: 20 } }))).toBe(
      'finished',
    );
  });

  it("never gives a tool less than the settings' timeout", async () => {
    const hasty = defineTool({ ...testSlow, name: 'test_hasty', timeoutMs: 10 });
    expect(await limitTime(waiting(60))(testCall(hasty, { settings: { toolTimeoutMs: 1_000 } }))).toBe(
      'finished',
    );
    const err = await rejectionOf(
      limitTime(waiting(5_000))(testCall(hasty, { settings: { toolTimeoutMs: 40 } })),
    );
    expect((err as Error).message).toBe(
      'test_hasty did not finish within 0.04 s. The server may be busy; try again later.',
    );
  });

  it("stops the call with ToolError cancelled when the client cancels, aborting the tool's signal", async () => {
    const client = new AbortController();
    const next = waiting(5_000);
    const running = limitTime(next)(testCall(testSlow, { signal: client.signal }));
    await sleep(20);
    client.abort('user pressed stop');
    const err = await rejectionOf(running);
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ code: 'cancelled', message: 'test_slow was cancelled by the client.' });
    const signal = (next.calls[0] as ToolCall).signal;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(err);
  });

  it('answers cancelled at once and never starts the tool when the client cancelled before it began', async () => {
    const client = new AbortController();
    client.abort();
    const next = nextStub<unknown>(() => 'ran');
    const err = await rejectionOf(limitTime(next)(testCall(testSlow, { signal: client.signal })));
    expect(err).toMatchObject({ code: 'cancelled' });
    expect(next.calls).toHaveLength(0);
  });

  it("passes the tool's own failure through", async () => {
    const boom = new ToolError('conflict', 'busy');
    expect(
      await rejectionOf(limitTime(nextStub<unknown>(() => Promise.reject(boom)))(testCall(testSlow))),
    ).toBe(boom);
  });

  it('clears its timer and listener once the tool has finished', async () => {
    const client = new AbortController();
    const next = nextStub<unknown>(() => 'quick');
    expect(
      await limitTime(next)(testCall(testSlow, { signal: client.signal, settings: { toolTimeoutMs: 30 } })),
    ).toBe('quick');
    await sleep(60);
    client.abort();
    // Neither the deadline nor the late cancellation reached the finished call's signal.
    expect((next.calls[0] as ToolCall).signal.aborted).toBe(false);
  });
});

describe('limitTime when the service shuts down', () => {
  it('says the service is stopping and that a started tool may still complete (not "cancelled by the client")', async () => {
    const shutdown = new AbortController();
    const running = limitTime(waiting(5_000, false))(testCall(testSlow, { signal: shutdown.signal }));
    await sleep(20);
    shutdown.abort(new ServiceShutdown());
    const err = await rejectionOf(running);
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ code: 'shutting_down' });
    expect((err as Error).message).toMatch(
      /^unraid-mcp is shutting down; test_slow .*was started and may still complete/,
    );
  });

  it('says the tool never started when the shutdown came first', async () => {
    const shutdown = new AbortController();
    shutdown.abort(new ServiceShutdown());
    const next = nextStub<unknown>(() => 'ran');
    const err = await rejectionOf(limitTime(next)(testCall(testSlow, { signal: shutdown.signal })));
    expect(err).toMatchObject({ code: 'shutting_down' });
    expect((err as Error).message).not.toMatch(/was started/);
    expect(next.calls).toHaveLength(0);
  });
});
