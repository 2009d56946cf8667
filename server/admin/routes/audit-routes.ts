import { Router, type Response } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../../safety/audit/audit-log.js';
import type { AuditFilter } from '../../safety/audit/audit-filter.js';
import { InvalidCursorError } from '../../safety/audit/audit-query.js';
import { CSV_HEADER, csvRow } from '../../safety/audit/audit-csv.js';
import { AdminError } from '../admin-error.js';
import { actorOf } from '../actor.js';
import type { AdminDeps } from '../admin-deps.js';
import type { DataPlacement } from '../../safety/data-placement.js';
import { validate } from '../validate.js';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date/time');
const filterFields = z
  .object({
    from: isoTime,
    to: isoTime,
    tool: z.string().max(100),
    principal: z.string().max(100),
    stage: z.enum(['intent', 'outcome', 'event']),
    event: z.string().max(100),
    outcome: z.string().max(50),
    target: z.string().max(200),
    q: z.string().max(200),
  })
  .partial();
const timeOrder = (q: { from?: string; to?: string }) =>
  q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to);
const timeOrderProblem = {
  message: 'must be before "to" (the range is from inclusive, to exclusive)',
  path: ['from'],
};
const pageQuery = filterFields
  .extend({
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict()
  .refine(timeOrder, timeOrderProblem);
const exportQuery = filterFields
  .extend({
    format: z
      .enum(['ndjson', 'csv'], {
        error: 'must be "ndjson" (JSON Lines, every field) or "csv" (a spreadsheet)',
      })
      .optional(),
  })
  .strict()
  .refine(timeOrder, timeOrderProblem);
const verifyQuery = z
  .object({
    full: z.enum(['1', '0', 'true', 'false'], { error: 'must be 1 or 0 (true or false)' }).optional(),
  })
  .strict();
const seqParam = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, "must be a record's seq: a whole number from 1")
  .transform(Number);
const relocateBody = z.object({ to: z.enum(['ram', 'persistent']) }).strict();

function toFilter(q: z.infer<typeof filterFields>): AuditFilter {
  const { q: text, ...rest } = q;
  return { ...rest, ...(text !== undefined ? { text } : {}) };
}

/**
 * Audit viewer: query (newest first, cursor pages that may stop early on a scan budget), one
 * record by seq, verify (incremental), export as JSON Lines or CSV, and relocation for array
 * start/stop.
 */
export function auditRoutes(deps: AdminDeps, audit: AuditLog, placement: DataPlacement): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const { cursor, limit, ...filter } = validate(pageQuery, req.query, 'query');
    const page = await audit.query(toFilter(filter), { cursor, limit }).catch((err: Error) => {
      throw err instanceof InvalidCursorError
        ? new AdminError(400, err.message, [{ field: 'cursor', message: err.message }])
        : err;
    });
    res.json(page);
  });
  r.get('/record/:seq', async (req, res) => {
    const seq = validate(z.object({ seq: seqParam }), req.params, 'path').seq;
    const found = await audit.record(seq);
    if (!found) throw new AdminError(404, `The audit log holds no record with seq ${seq}.`);
    res.json(found);
  });
  r.get('/verify', async (req, res) => {
    const { full } = validate(verifyQuery, req.query, 'query');
    res.json(await audit.verify({ full: full === '1' || full === 'true' }));
  });
  r.get('/export', async (req, res) => {
    const { format = 'ndjson', ...fields } = validate(exportQuery, req.query, 'query');
    const filter = toFilter(fields);
    const csv = format === 'csv';
    res.writeHead(200, {
      'Content-Type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      'Content-Disposition': `attachment; filename="unraid-mcp-audit.${csv ? 'csv' : 'jsonl'}"`,
    });
    if (csv) await write(res, CSV_HEADER);
    for await (const batch of audit.exportBatches(filter)) {
      if (res.destroyed) break;
      await write(res, batch.map((m) => (csv ? csvRow(m.record) : m.line + '\n')).join(''));
    }
    res.end();
  });
  r.post('/relocate', async (req, res) => {
    const { to } = validate(relocateBody, req.body);
    // The pending approvals move with the log (data-placement.ts); the answer stays the log's report.
    const moved = await placement.move(to);
    await deps.recordEvent(actorOf(req), 'admin.audit_relocated', { to, location: moved.location });
    res.json({
      ...moved.audit,
      location: moved.location,
      problem: moved.problem,
      approvals: moved.approvals,
    });
  });
  return r;
}

/** Writes a chunk and waits while the client is slower than the disk: memory stays at about one chunk. */
async function write(res: Response, text: string): Promise<void> {
  if (res.write(text) || res.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
