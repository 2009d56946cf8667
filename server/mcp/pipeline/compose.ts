import type { Handler, Step } from './tool-call.js';

/** Wraps `inner` in the steps, the first outermost: compose(a, b)(run) is a(b(run)). */
export function compose<R>(...steps: ReadonlyArray<Step<R>>): (inner: Handler<R>) => Handler<R> {
  return (inner) => steps.reduceRight<Handler<R>>((next, step) => step(next), inner);
}
