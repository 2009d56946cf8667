import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatVerifyReport, verifyAudit, type VerifyReport } from './audit-verify.js';

/** The slice of the CLI's io the audit commands use. */
export interface AuditCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * `unraid-mcp audit verify [--json]`: checks the hash chain of every file in the audit directory
 * (UNRAID_MCP_AUDIT_DIR). Exit 0 intact, 1 broken, 2 bad usage.
 *
 * With `viaService` (the running sidecar's GET /api/audit/verify; null when it is not running) the
 * service verifies: it knows the last seq it wrote, so a cut tail is reported at once, and it first
 * records what was done to the live file. Otherwise the files are read here — safe while the
 * sidecar runs (a line being written shows as an incomplete last line) — and the end of the log is
 * compared with audit.anchor.json, which holds the last seq as of the last rotation or shutdown.
 */
export async function auditVerifyCommand(
  args: string[],
  auditDir: string,
  io: AuditCliIo,
  viaService?: () => Promise<VerifyReport | null>,
): Promise<number> {
  let json = false;
  try {
    json = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true }).values.json === true;
  } catch (err) {
    io.err(`audit verify: ${(err as Error).message}`);
    io.err('Usage: unraid-mcp audit verify [--json]');
    return 2;
  }
  const isDir = await stat(auditDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    io.err(
      `audit directory ${auditDir} does not exist (set UNRAID_MCP_AUDIT_DIR to the directory the sidecar writes)`,
    );
    return 1;
  }
  const report = (await viaService?.()) ?? (await verifyAudit(auditDir));
  if (json) io.out(JSON.stringify({ dir: auditDir, ...report }, null, 2));
  else for (const line of formatVerifyReport(report, auditDir)) io.out(line);
  return report.ok ? 0 : 1;
}
