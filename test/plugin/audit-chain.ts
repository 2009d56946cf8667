import { verifyAudit } from '../../server/safety/audit/audit-verify.js';
import { readAudit, type AuditLine } from '../helpers/audit-file.js';

/** The audit log in `dir` verified as `unraid-mcp audit verify` does (every file, hash chain, anchor); throws on a break. */
export async function verifyChain(dir: string): Promise<{ records: number; lines: AuditLine[] }> {
  const report = await verifyAudit(dir);
  if (!report.ok) throw new Error(`the audit log in ${dir} does not verify: ${report.summary}`);
  return { records: report.records, lines: await readAudit(dir) };
}
