// Closed-loop load generation: N workers, each issuing its next call as soon as the previous one ends.
import { Client as Sdk1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as Sdk1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client';
import { percentileSorted, round } from './stats.mjs';

// A 2025-era client transport hands one AbortSignal to every fetch, and undici removes a request's
// abort listener only when that request is garbage-collected: a busy client passes Node's warning
// threshold (1500 listeners) between collections without leaking (the count falls back at each GC,
// SDK 1.x and v2 alike). That one warning would print hundreds of lines; every other still prints.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  if (warning?.name === 'MaxListenersExceededWarning' && /abort listeners/.test(warning.message)) return;
  return emitWarning.call(this, warning, ...rest);
};

/** The 2026-07-28 revision, the only modern one the v2 client is pinned to here. */
export const MODERN_REVISION = '2026-07-28';

/**
 * MCP clients the benches can drive a server with:
 * - `sdk1`: the 1.x `@modelcontextprotocol/sdk` client (2025 revisions; one session per client);
 * - `v2-legacy`: the v2 `@modelcontextprotocol/client` in `legacy` mode (plain 2025 `initialize`);
 * - `v2-modern`: the v2 client pinned to 2026-07-28 (`server/discover` at connect, then one stateless
 *   HTTP request per call, no session).
 */
export const CLIENT_KINDS = ['sdk1', 'v2-legacy', 'v2-modern'];

function newClient(kind, info, url, transportOptions) {
  if (kind === 'sdk1')
    return { client: new Sdk1Client(info), transport: new Sdk1Transport(url, transportOptions) };
  if (kind !== 'v2-legacy' && kind !== 'v2-modern')
    throw new Error(`unknown MCP client kind "${kind}" (one of ${CLIENT_KINDS.join(', ')})`);
  const mode = kind === 'v2-modern' ? { pin: MODERN_REVISION } : 'legacy';
  return {
    client: new V2Client(info, { versionNegotiation: { mode } }),
    transport: new V2Transport(url, transportOptions),
  };
}

/** One line describing a failed call, short enough to group identical failures. */
export function describeError(err) {
  if (err && typeof err === 'object' && 'isErrorResult' in err) return `isError result: ${err.text}`;
  // SDK 1.x puts the HTTP status in `code`; the v2 client in `data.status` (its `code` is a name).
  const httpStatus = typeof err?.data?.status === 'number' ? err.data.status : err?.code;
  const status = typeof httpStatus === 'number' && httpStatus > 0 ? `HTTP ${httpStatus}: ` : '';
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
 * Connects `count` MCP clients (one Client and transport each) of the kind `client` (CLIENT_KINDS;
 * `sdk1` unless told). A 2025 client opens a session; a `v2-modern` one only discovers the server.
 * Background transport errors, such as a dropped GET/SSE stream, do not fail a call, so they are
 * counted separately in `background`.
 */
export async function connectMcpClients(
  url,
  { count, headers = {}, fetch: fetchImpl, client: kind = 'sdk1' },
) {
  const background = new Map();
  const connectOne = async (i) => {
    const { client, transport } = newClient(kind, { name: `bench-${i}`, version: '1.0.0' }, new URL(url), {
      requestInit: { headers },
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });
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

/** Ends every session politely (DELETE; nothing to end for a 2026-07-28 client), then closes the clients. */
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
