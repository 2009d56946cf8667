import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditRecord } from '../../server/safety/audit/audit-record.js';

export async function readAudit(auditDir: string): Promise<AuditRecord[]> {
  const text = await readFile(join(auditDir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
}
