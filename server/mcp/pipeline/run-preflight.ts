import type { CallAnswer } from '../../vocabulary.js';
import { PolicyDeniedError } from '../../errors/policy-denied-error.js';
import { refuse } from './refusal.js';
import { toolContext } from './tool-context.js';
import type { Step } from './tool-call.js';

/** The tool's own checks that need no confirmation, so the owner is never asked to approve a call that would be refused anyway. */
export const runPreflight: Step<CallAnswer> = (next) => async (call) => {
  if (call.tool.preflight) {
    try {
      await call.tool.preflight(call.args, toolContext(call, call.req.signal));
    } catch (err) {
      if (err instanceof PolicyDeniedError) throw refuse(err.rule, 'denied', err);
      throw refuse('preflight', 'invalid', err);
    }
  }
  return next(call);
};
