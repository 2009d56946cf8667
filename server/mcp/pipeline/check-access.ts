import type { CallAnswer } from '../../vocabulary.js';
import { PolicyDeniedError } from '../../errors/policy-denied-error.js';
import { whyUnavailable } from '../../safety/select-tools.js';
import { refuse } from './refusal.js';
import type { Step } from './tool-call.js';

/** Read-only mode, the toolset switches and the token's scope: the same rules that hide tools from the list. */
export const checkAccess: Step<CallAnswer> = (next) => async (call) => {
  const denial = whyUnavailable(call.tool, {
    toolsets: call.settings.toolsets,
    readOnly: call.settings.readOnly,
    scope: call.caller.principal.scope,
  });
  if (denial) throw refuse(denial.rule, 'denied', new PolicyDeniedError(denial.rule, denial.message));
  return next(call);
};
