import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { effectiveConfirmMode } from '../../config/settings.js';
import { PolicyDeniedError } from '../../errors/policy-denied-error.js';
import { ToolError } from '../../errors/tool-error.js';
import { argsHash } from '../../safety/confirm/args-hash.js';
import { confirmCall } from '../../safety/confirm/confirm-call.js';
import { redact, redactString } from '../../util/redact.js';
import { writeEvent } from './audit-entries.js';
import { Refusal, refuse } from './refusal.js';
import { toolContext } from './tool-context.js';
import { ALLOWED, type Step, type ToolCall } from './tool-call.js';

/**
 * Writing tools only: the tool's confirmation mode (none, an agent token, or the owner's approval,
 * plus elicitation when the client offers it). The confirmation is bound to the caller's token, the
 * tool, the resolved target and the arguments, so it can never confirm anything else.
 */
export const confirm: Step<CallToolResult> = (next) => async (call) => {
  if (!call.writing) return next(call);
  const { caller, req, resolved } = call;
  let description: string;
  try {
    description = await describe(call);
  } catch (err) {
    throw refuse('preflight', err instanceof PolicyDeniedError ? 'denied' : 'error', err);
  }
  const confirmed = await confirmCall(
    {
      mode: effectiveConfirmMode(call.settings, call.tool),
      tool: call.tool.name,
      binding: {
        tokenId: caller.principal.tokenId,
        tool: call.tool.name,
        target: resolved ? `${resolved.kind}:${resolved.id}` : 'host',
        argsHash: argsHash(call.args),
      },
      principal: caller.principal.name,
      client: caller.client,
      target: resolved,
      redactedArgs: call.redactedArgs,
      description,
      token: call.confirmationToken,
      confirmationId: call.confirmationId,
      timings: call.settings,
      elicit:
        caller.elicit &&
        ((message) => (caller.elicit as NonNullable<typeof caller.elicit>)(message, req.signal)),
      progress: req.progress,
      signal: req.signal,
      audit: (event, details) => writeEvent(call, event, details),
    },
    call.env.confirmations,
  );
  call.confirmation = confirmed.record;
  // Refused by a confirmation rule (too many approvals waiting): audited as not allowed.
  if (!confirmed.proceed && confirmed.refusedBy)
    throw new Refusal(
      { allowed: false, rule: confirmed.refusedBy },
      'denied',
      new ToolError('confirmation', `refused: ${confirmed.refusedBy.replace(/_/g, ' ')}`),
      confirmed.result,
    );
  if (!confirmed.proceed)
    throw new Refusal(
      ALLOWED,
      'confirmation',
      new ToolError('confirmation', 'confirmation required'),
      confirmed.result,
    );
  return next(call);
};

/**
 * Exactly what the call will do, for the prompt: the tool's own words, or its title, target and
 * arguments. Redacted either way: the prompt is stored with a pending approval and shown in the
 * WebGUI, and a tool's words may quote an argument list or an image's command (`--password=…`).
 */
async function describe(call: ToolCall): Promise<string> {
  const { tool, args, resolved: target } = call;
  if (tool.describe)
    return redactString(await tool.describe(args, target, toolContext(call, call.req.signal)));
  const on = target ? ` on ${target.kind} "${target.name}" (${target.id.slice(0, 12)})` : '';
  return `${tool.title}${on} with arguments ${JSON.stringify(redact(args))}.`;
}
