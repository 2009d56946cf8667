import type { CallAnswer } from '../../vocabulary.js';
import { ToolError } from '../../errors/tool-error.js';
import { writeIntent } from './audit-entries.js';
import { ALLOWED, type Step } from './tool-call.js';

/** The audit log could not take the intent record, so the tool was not run. */
export class AuditUnavailable extends ToolError {
  constructor() {
    super(
      'audit_unavailable',
      'The audit log cannot be written, so unraid-mcp refuses to act. Ask the owner to check the audit directory (disk full or not writable).',
    );
  }
}

/** No audit, no action: the intent is on record (fsynced for writing tools) before the tool runs. */
export const recordIntent: Step<CallAnswer> = (next) => async (call) => {
  if (!(await writeIntent(call, ALLOWED))) throw new AuditUnavailable();
  return next(call);
};
