import type { CompiledPolicy } from '../config/policy/compile-policy.js';
import { PolicyDeniedError } from '../errors/policy-denied-error.js';
import type { ResolvedTarget } from '../vocabulary.js';

/**
 * The name filters and protection, applied to the resolved name so an ID or ID prefix can never slip
 * past a name rule. Returns the refusal, or null when the call may go on. Protection applies only to
 * tools that stop, change or remove (`refusesProtected`).
 */
export function targetDenial(
  resolved: ResolvedTarget,
  policy: CompiledPolicy,
  refusesProtected: boolean,
): PolicyDeniedError | null {
  if (resolved.kind !== 'container' && resolved.kind !== 'vm') return null;
  const named = policy.checkName(resolved.kind, resolved.name);
  if (!named.allowed) return new PolicyDeniedError(named.rule, named.message);
  if (refusesProtected) {
    const prot = policy.checkProtected(resolved.kind, resolved.name, resolved.labels);
    if (prot.protected) return new PolicyDeniedError(prot.rule, prot.message);
  }
  return null;
}
