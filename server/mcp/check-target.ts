import type { AnyTool } from '../tools/define-tool.js';
import type { CompiledPolicy } from '../config/policy/compile-policy.js';
import { PolicyDeniedError } from '../errors/policy-denied-error.js';
import type { TargetRef, ResolvedTarget } from '../vocabulary.js';

/** The audit log's view of a target: what the caller gave, and what it resolved to. */
export type AuditTarget = TargetRef & { id?: string; name?: string };

export function auditTarget(declared: TargetRef, resolved: ResolvedTarget | null): AuditTarget {
  return resolved ? { ...declared, id: resolved.id, name: resolved.name } : declared;
}

/**
 * The name filters and protection, applied to the resolved name so an ID or ID prefix can never slip
 * past a name rule. Returns the refusal, or null when the call may go on.
 */
export function targetDenial(tool: AnyTool, resolved: ResolvedTarget, policy: CompiledPolicy): PolicyDeniedError | null {
  if (resolved.kind !== 'container' && resolved.kind !== 'vm') return null;
  const named = policy.checkName(resolved.kind, resolved.name);
  if (!named.allowed) return new PolicyDeniedError(named.rule, named.message);
  if (tool.refusesProtected) {
    const prot = policy.checkProtected(resolved.kind, resolved.name, resolved.labels);
    if (prot.protected) return new PolicyDeniedError(prot.rule, prot.message);
  }
  return null;
}
