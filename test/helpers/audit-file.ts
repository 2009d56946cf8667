import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditRecord } from '../../server/safety/audit/audit-record.js';

/** A stored line of any stage, loosely typed for assertions. */
export type AuditLine = Omit<AuditRecord, 'stage' | 'decision'> & {
  stage: 'intent' | 'outcome' | 'event';
  decision: AuditRecord['decision'];
  event?: string;
  details?: Record<string, unknown>;
  seq: number;
  hash: string;
};

/** The current audit file's records, oldest first. */
export async function readAudit(auditDir: string): Promise<AuditLine[]> {
  const text = await readFile(join(auditDir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditLine);
}
