// Closed-loop load generation: N workers, each issuing its next call as soon as the previous one ends.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { percentileSorted, round } from './stats.mjs';

/** One line describing a failed call, short enough to group identical failures. */
export function describeError(err) {
  if (err && typeof err === 'object' && 'isErrorResult' in err) return `isError result: ${err.text}`;
  const status = typeof err?.code === 'number' && err.code > 0 ? `HTTP ${err.code}: ` : '';
  return `${status}${err?.message ?? String(err)}`.replace(/\s+/g, ' ').slice(0, 200);
}

/**
 * Runs `call(worker)` in a closed loop on every worker for warmupMs + durationMs. Calls that finish
 * during the warm-up are discarded (connections, JIT and caches settle there); the latency of every
 * call finishing inside the measured window is kept. Nobody issues a call after the window ends, and
 * calls still in flight then are awaited but not counted. A throw counts as an error.
 * `meter` (optional, { start(), stop() }) is started and stopped with the measured window; what
 * stop() returns is merged into the result.
 */
export async function closedLoop(workers, call, { warmupMs, durationMs, meter }) {
  const latencies = [];
  const errors = new Map();
  let warmupCalls = 0;
  let warmupErrors = 0;
  let windowErrors = 0;
  const t0 = performance.now();
  const windowStart = t0 + warmupMs;
  const windowEnd = windowStart + durationMs;

  let metered = null;
  const stopMeter = () => (metered ??= meter?.stop() ?? {});
  const meterStart = meter && setTimeout(() => meter.start(), warmupMs);
  const meterStop = meter && setTimeout(stopMeter, warmupMs + durationMs);

  async function loop(worker) {
    while (performance.now() < windowEnd) {
      const start = performance.now();
      let failed = null;
      try {
        await call(worker);
      } catch (err) {
        failed = describeError(err);
      }
      const end = performance.now();
      const counted = end >= windowStart && end <= windowEnd;
      if (failed) {
        errors.set(failed, (errors.get(failed) ?? 0) + 1);
        if (counted) windowErrors++;
        else if (end < windowStart) warmupErrors++;
      } else if (counted) latencies.push(end - start);
      else if (end < windowStart) warmupCalls++;
    }
  }
  await Promise.all(workers.map(loop));
  clearTimeout(meterStart);
  clearTimeout(meterStop);
  stopMeter(); // in case a busy event loop delayed the timer past the last call

  latencies.sort((a, b) => a - b);
  return {
    workers: workers.length,
    warmupMs,
    durationMs,
    calls: latencies.length,
    callsPerSec: round(latencies.length / (durationMs / 1000), 1),
    p50Ms: round(percentileSorted(latencies, 50), 2),
    p90Ms: round(percentileSorted(latencies, 90), 2),
    p99Ms: round(percentileSorted(latencies, 99), 2),
    maxMs: round(latencies.at(-1) ?? null, 2),
    errors: windowErrors + warmupErrors,
    windowErrors,
    warmupErrors,
    warmupCalls,
    errorKinds: Object.fromEntries(errors),
    ...metered,
  };
}

/**
 * Opens `count` MCP sessions (one SDK Client and transport each). Background transport errors, such
 * as a dropped GET/SSE stream, do not fail a call, so they are counted separately in `background`.
 */
export async function connectMcpClients(url, { count, headers = {}, fetch: fetchImpl }) {
  const background = new Map();
  const connectOne = async (i) => {
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers },
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });
    const client = new Client({ name: `bench-${i}`, version: '1.0.0' });
    client.onerror = (err) => {
      const key = describeError(err);
      background.set(key, (background.get(key) ?? 0) + 1);
    };
    await client.connect(transport);
    return { client, transport };
  };
  const sessions = await Promise.all(Array.from({ length: count }, (_, i) => connectOne(i)));
  return { sessions, background };
}

/** Ends every session politely (DELETE), then closes the clients. */
export async function closeMcpClients(sessions) {
  await Promise.all(
    sessions.map(async ({ client, transport }) => {
      await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    }),
  );
}

/** tools/call that throws on an isError result, so the closed loop counts it as an error. */
export async function callToolOrThrow(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) {
    const text = (result.content ?? [])
      .map((c) => c.text ?? '')
      .join(' ')
      .slice(0, 160);
    throw { isErrorResult: true, text };
  }
  return result;
}
