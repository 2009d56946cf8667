import type { RunningWork, Step } from './tool-call.js';

/**
 * Changes to one container or VM run one at a time; reads never wait. The lock is held until the
 * tool's work has really ended, not only until the caller has its answer: a change that timed out
 * but still runs in Docker or libvirt must not overlap the next change of the same target. The caller
 * is answered at once all the same (after the lock is released, when the work ended with the answer).
 */
export const lockTarget: Step<unknown> = (next) => async (call) => {
  if (!call.writing || !call.resolved) return next(call);
  const work: RunningWork = { promise: null, ended: false };
  call.work = work;
  let answerEarly: ((answer: Promise<unknown>) => void) | null = null;
  const early = new Promise<Promise<unknown>>((resolve) => (answerEarly = resolve));
  const held = call.env.locks.run(`${call.resolved.kind}:${call.resolved.id}`, async () => {
    const answer = next(call);
    await Promise.allSettled([answer]);
    if (work.promise && !work.ended) {
      answerEarly?.(answer);
      await Promise.allSettled([work.promise]);
    }
    return answer;
  });
  return Promise.race([held, early]);
};
