import type { ToolContext } from '../../context.js';

/**
 * The VM the wrapper resolved and checked for this call. Tools act on its UUID — never on the name
 * the caller typed, which could now belong to another VM.
 */
export function targetOf(ctx: ToolContext, ref: string): { uuid: string; name: string } {
  const target = ctx.target;
  if (!target || target.kind !== 'vm')
    throw new Error(`vm tool called without a resolved VM target (${ref})`);
  return { uuid: target.id, name: target.name };
}
