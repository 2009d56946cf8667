import type { Step } from './tool-call.js';

/** Changes to one container or VM run one at a time; reads never wait. */
export const lockTarget: Step<unknown> = (next) => async (call) => {
  if (!call.writing || !call.resolved) return next(call);
  return call.env.locks.run(`${call.resolved.kind}:${call.resolved.id}`, () => next(call));
};
