import type { AnyTool, TargetRef } from '../tools/define-tool.js';
import type { ResolvedTarget } from '../backends/resolved-target.js';
import type { TargetResolver } from '../backends/target-resolver.js';
import type { CompiledPolicy } from '../safety/policy/compile-policy.js';
import { PolicyDeniedError } from '../errors/policy-denied-error.js';

/**
 * Resolves the tool's declared target (name, ID or unique ID prefix → the real resource) and applies
 * the name filters and protection to the resolved name, so an ID can never slip past a name rule.
 * Throws the resolver's NotFound/Invalid errors, or PolicyDeniedError naming the rule.
 */
export async function checkTarget(
  tool: AnyTool,
  args: Record<string, unknown>,
  resolver: TargetResolver,
  policy: CompiledPolicy,
  signal: AbortSignal,
): Promise<{ declared: TargetRef; resolved: ResolvedTarget } | null> {
  const declared = tool.target?.(args);
  if (!declared) return null;
  const resolved = await resolver.resolve(declared, signal);
  if (resolved.kind === 'container' || resolved.kind === 'vm') {
    const named = policy.checkName(resolved.kind, resolved.name);
    if (!named.allowed) throw new PolicyDeniedError(named.rule, named.message);
    if (tool.refusesProtected) {
      const prot = policy.checkProtected(resolved.kind, resolved.name, resolved.labels);
      if (prot.protected) throw new PolicyDeniedError(prot.rule, prot.message);
    }
  }
  return { declared, resolved };
}
