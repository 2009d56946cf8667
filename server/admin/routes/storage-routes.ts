import { Router } from 'express';
import { z } from 'zod';
import type { DataPlacement } from '../../safety/data-placement.js';
import { actorOf } from '../actor.js';
import type { AdminDeps } from '../admin-deps.js';
import { validate } from '../validate.js';

const moveBody = z
  .object({
    to: z.enum(['ram', 'persistent'], {
      error: 'must be "persistent" (appdata, array started) or "ram" (array stopping)',
    }),
  })
  .strict();

/**
 * Where the audit log and pending approvals are (GET) and moving them (POST {to}), for the array's
 * event hooks through `unraid-mcp storage`. The answer comes once the move is complete: after a move to
 * RAM no file of the sidecar's is open on the array. Appdata that cannot be used is not an error: the
 * answer says `stayedInRam` and why.
 */
export function storageRoutes(deps: AdminDeps, placement: DataPlacement): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    res.json(placement.status());
  });
  r.post('/', async (req, res) => {
    const { to } = validate(moveBody, req.body);
    const report = await placement.move(to);
    await deps.recordEvent(actorOf(req), 'admin.storage_moved', {
      to,
      location: report.location,
      ...(report.problem ? { problem: report.problem } : {}),
    });
    res.json(report);
  });
  return r;
}
