import { randomUUID } from 'node:crypto';
import type { ServiceEnv } from './config/env.js';
import { adminRequest, SERVICE_NOT_RUNNING } from './admin/admin-client.js';
import { AuditLog } from './safety/audit/audit-log.js';
import { silentLogger } from './log.js';
import { redact } from './util/redact.js';

/**
 * An owner change made from the CLI (tokens), audited either way: through the running service's admin
 * API when it answers (one writer for the audit log, and the service sees the change at once), or —
 * when the service is not running — done on the files directly with the event appended to the audit
 * log here, principal "cli".
 */
export async function ownerChange<T>(
  env: ServiceEnv,
  viaService: (call: typeof adminRequest) => Promise<T>,
  locally: () => Promise<T>,
  event: (result: T) => { name: string; details: Record<string, unknown> },
): Promise<T> {
  try {
    return await viaService(adminRequest);
  } catch (err) {
    if (!(err as Error).message.startsWith(SERVICE_NOT_RUNNING)) throw err;
  }
  const result = await locally();
  const { name, details } = event(result);
  const audit = new AuditLog({ dir: env.auditDir, persistent: env.auditPersistent, log: silentLogger });
  await audit.open();
  try {
    await audit.append(
      {
        id: randomUUID(),
        time: new Date().toISOString(),
        stage: 'event',
        principal: 'cli',
        event: name,
        details: redact(details),
      },
      true,
    );
  } finally {
    await audit.close();
  }
  return result;
}
