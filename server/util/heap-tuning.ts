import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * The V8 settings that keep the sidecar's memory near its live size, set by the process once it is
 * up instead of on Node's command line. Code that V8 has compiled before (the cache of Node's own
 * modules built into the binary, and NODE_COMPILE_CACHE) carries a hash of the V8 flags and is
 * refused when the flags differ: with `--heap-growing-percent` or `--expose-gc` on the command line,
 * every built-in module the sidecar loads was compiled from source at each start (on Node 24 about
 * an eighth of the start's CPU). Set after the listeners are up, they cost nothing at start; what
 * loads later (the admin API, the Docker client) compiles Node's modules it adds from source once.
 */

/** Old space grows to 1.3× what survives a collection instead of up to 4× (bench/README.md, soak). */
export const HEAP_GROWING_PERCENT = 30;

/** Call once the sidecar is serving: from then on the heap grows by at most HEAP_GROWING_PERCENT. */
export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/**
 * A full garbage collection: Node's `gc` when the process was started with --expose-gc, otherwise
 * one made on the first call. V8 installs `gc` in contexts created while --expose-gc is on, so the
 * flag is on only while one small context is made, then off again (the flags' hash is as before);
 * the function keeps that context, about half a megabyte, alive.
 */
export function fullCollection(): () => void {
  let gc = (globalThis as { gc?: () => void }).gc;
  return () => {
    gc ??= exposeGc();
    gc();
  };
}

function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
