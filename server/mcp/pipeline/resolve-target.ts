import type { CallAnswer } from '../../vocabulary.js';
import { refuse } from './refusal.js';
import type { Step } from './tool-call.js';

/**
 * Turns the target the tool declares (a name, an ID or an ID prefix) into the real resource, so every
 * later rule sees its real name. The audit log records both what was asked for and what it was.
 */
export const resolveTarget: Step<CallAnswer> = (next) => async (call) => {
  const declared = call.tool.target?.(call.args) ?? null;
  if (declared) {
    call.target = declared;
    try {
      call.resolved = await call.env.resolver.resolve(declared, call.req.signal);
    } catch (err) {
      throw refuse('target', 'error', err);
    }
    call.target = { ...declared, id: call.resolved.id, name: call.resolved.name };
  }
  return next(call);
};
