import type { BackendProbe } from '../../backends/backend-probe.js';
import type { AuditLog } from './audit-log.js';

/**
 * The audit log as a readiness check (/readyz and the admin status's `backends`): down while it
 * refuses records — writes failing, or free space below the floor — because then every tool call is
 * refused too (no audit, no action). Each check also looks at audit.jsonl, so a file moved or
 * replaced behind the writer is found and recorded without waiting for the next call.
 */
export function auditProbe(audit: AuditLog): BackendProbe {
  return { name: 'audit', check: () => audit.check().catch((err: unknown) => String(err)) };
}
