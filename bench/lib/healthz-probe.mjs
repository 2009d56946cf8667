// An open-loop /healthz prober on its own thread: one GET every `everyMs`, each timed on its own, so
// the busy event loop of a load generator (hundreds of MCP clients in the main thread) does not add
// its own lag to the figures, and a slow answer does not delay the next probe. The probes still share
// the machine's cores with everything else.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { percentileSorted, round } from './stats.mjs';

const PROBE_TIMEOUT_MS = 5_000;

/** p50/p99/max of a list of latencies (ms), rounded to 0.1 ms. */
export function latencySummary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: round(percentileSorted(sorted, 50), 1),
    p99Ms: round(percentileSorted(sorted, 99), 1),
    maxMs: round(sorted.at(-1) ?? null, 1),
  };
}

/**
 * Starts probing `${origin}/healthz` every `everyMs` on a worker thread. stop() waits for the probes
 * still in flight (each gives up after 5 s, counted as a failure) and resolves to
 * { samples, p50Ms, p99Ms, maxMs, failures, failureKinds, latenciesMs }.
 */
export function startHealthzProbe(origin, everyMs = 100) {
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { healthzProbe: true, url: new URL('/healthz', origin).href, everyMs },
  });
  const done = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the /healthz probe thread exited (${code})`)));
  });
  const started = new Promise((resolve) => worker.once('online', resolve));
  return {
    started,
    async stop() {
      await started;
      worker.postMessage('stop');
      const result = await done;
      await worker.terminate();
      return result;
    },
  };
}

async function runProbe({ url, everyMs }) {
  const latencies = [];
  const failures = new Map();
  const inFlight = new Set();
  const probe = async () => {
    const t = performance.now();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      latencies.push(performance.now() - t);
    } catch (err) {
      const key = String(err?.message ?? err).slice(0, 120);
      failures.set(key, (failures.get(key) ?? 0) + 1);
    }
  };
  const timer = setInterval(() => {
    const p = probe();
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }, everyMs);
  parentPort.once('message', async () => {
    clearInterval(timer);
    await Promise.allSettled([...inFlight]);
    const failed = [...failures.values()].reduce((a, b) => a + b, 0);
    parentPort.postMessage({
      ...latencySummary(latencies),
      failures: failed,
      failureKinds: Object.fromEntries(failures),
      latenciesMs: latencies.map((x) => round(x, 2)),
    });
  });
}

if (!isMainThread && workerData?.healthzProbe) void runProbe(workerData);
