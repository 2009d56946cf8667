import type { CallAnswer } from '../../vocabulary.js';
import { targetDenial } from '../../safety/target-denial.js';
import { refuse } from './refusal.js';
import type { Step } from './tool-call.js';

/** The owner's allow/deny filters and protected list, on the resolved name (an ID can never slip past a name rule). */
export const applyFilters: Step<CallAnswer> = (next) => async (call) => {
  if (call.resolved) {
    const denied = targetDenial(call.resolved, call.env.policy(), call.tool.refusesProtected ?? false);
    if (denied) throw refuse(denied.rule, 'denied', denied);
  }
  return next(call);
};
