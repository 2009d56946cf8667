import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SafeRegex } from './safe-regex.js';

/** re2js's CommonJS build: the worker is plain JavaScript evaluated from a string (see below). */
const RE2JS_PATH = createRequire(import.meta.url).resolve('re2js');

/**
 * The worker's whole program. A string, not a module file, so it runs the same from the TypeScript
 * sources (tests) and from the bundle; it only compiles the (already validated) pattern and answers
 * each batch of lines with one byte per line.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { RE2JS } = require(workerData.re2js);
const re = RE2JS.compile(workerData.source, workerData.flags);
parentPort.on('message', (lines) => {
  const out = new Uint8Array(lines.length);
  for (let i = 0; i < lines.length; i++) out[i] = re.test(lines[i]) ? 1 : 0;
  parentPort.postMessage(out, [out.buffer]);
});
`;

/** Enough for re2js's DFA cache and one batch of lines (a chunk of a log, at most a few hundred KB). */
const WORKER_HEAP_MB = 32;
/**
 * Regex workers running at once. Each costs about 12 MB (measured); on a server that runs from RAM,
 * eight parallel searches must not cost 100 MB, so further searches wait for a free worker (within
 * their own deadline).
 */
export const MAX_REGEX_WORKERS = 2;

let running = 0;
const queue: Array<() => void> = [];

/** Waits for a free worker slot; rejects with the signal's reason if the call ends first. */
function acquireSlot(signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  if (running < MAX_REGEX_WORKERS) {
    running++;
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    const granted = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      queue.splice(queue.indexOf(granted), 1);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    queue.push(granted);
  });
}

/** Hands the slot to the next waiting search, or frees it. */
function releaseSlot(): void {
  const next = queue.shift();
  if (next) next();
  else running--;
}

/**
 * Runs a log regex on its own thread. A pattern within safe-regex.ts's limits can still cost a few
 * hundred milliseconds on one 4 KB line (NFA, O(program × line)); on the main thread that would stall
 * every other client and /healthz. Here the event loop only waits for answers, and `terminate()`
 * stops the CPU work at once when the call's deadline passes or the client cancels.
 */
export class RegexWorker {
  private readonly worker: Worker;
  private readonly waiting: Array<{ resolve: (m: Uint8Array) => void; reject: (err: Error) => void }> = [];
  private failure: Error | null = null;
  private released = false;

  /** A worker for `regex`, once one of the MAX_REGEX_WORKERS slots is free. */
  static async start(regex: SafeRegex, signal?: AbortSignal): Promise<RegexWorker> {
    await acquireSlot(signal);
    try {
      return new RegexWorker(regex);
    } catch (err) {
      releaseSlot();
      throw err;
    }
  }

  private constructor(regex: SafeRegex) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { re2js: RE2JS_PATH, source: regex.source, flags: regex.flags },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    this.worker.on('message', (matches: Uint8Array) => this.waiting.shift()?.resolve(matches));
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('the regex worker stopped')));
  }

  /** One byte per line, 1 for a match. Rejects with the signal's reason when it aborts first. */
  match(lines: string[], signal?: AbortSignal): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    signal?.throwIfAborted();
    return new Promise<Uint8Array>((resolve, reject) => {
      const onAbort = () => reject(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.waiting.push({
        resolve: (m) => {
          done();
          resolve(m);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      });
      this.worker.postMessage(lines);
    });
  }

  /** Stops the thread, and with it any matching still running; frees its slot. */
  async terminate(): Promise<void> {
    try {
      await this.worker.terminate();
    } finally {
      if (!this.released) {
        this.released = true;
        releaseSlot();
      }
    }
  }
}
