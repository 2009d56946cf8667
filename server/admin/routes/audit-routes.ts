import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../../safety/audit/audit-log.js';
import type { AuditFilter } from '../../safety/audit/audit-filter.js';
import { AdminError } from '../admin-error.js';
import { actorOf } from '../actor.js';
import type { AdminDeps } from '../admin-deps.js';
import { validate } from '../validate.js';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date/time');
const filterQuery = z
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
const pageQuery = filterQuery
  .extend({
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();
const relocateBody = z.object({ to: z.enum(['ram', 'persistent']) }).strict();

function toFilter(q: z.infer<typeof filterQuery>): AuditFilter {
  const { q: text, ...rest } = q;
  return { ...rest, ...(text !== undefined ? { text } : {}) };
}

/** Audit viewer: query (newest first, cursor pages), verify, export as JSON Lines, and relocation for array start/stop. */
export function auditRoutes(
  deps: AdminDeps,
  audit: AuditLog,
  dirs: { ram: string; persistent: string },
): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const { cursor, limit, ...filter } = validate(pageQuery, req.query, 'query');
    const page = await audit.query(toFilter(filter), { cursor, limit }).catch((err: Error) => {
      throw /cursor/i.test(err.message)
        ? new AdminError(400, err.message, [{ field: 'cursor', message: err.message }])
        : err;
    });
    res.json(page);
  });
  r.get('/verify', async (_req, res) => {
    res.json(await audit.verify());
  });
  r.get('/export', async (req, res) => {
    const filter = toFilter(validate(filterQuery.strict(), req.query, 'query'));
    res.writeHead(200, {
      'Content-Type': 'application/x-ndjson',
      'Content-Disposition': 'attachment; filename="unraid-mcp-audit.jsonl"',
    });
    for await (const line of audit.exportJsonl(filter)) {
      if (!res.write(line)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });
  r.post('/relocate', async (req, res) => {
    const { to } = validate(relocateBody, req.body);
    const report = await audit.relocate(to === 'ram' ? dirs.ram : dirs.persistent, to === 'persistent');
    await deps.recordEvent(actorOf(req), 'admin.audit_relocated', { to });
    res.json(report);
  });
  return r;
}
