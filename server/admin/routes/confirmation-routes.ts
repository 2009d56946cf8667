import { Router } from 'express';
import { z } from 'zod';
import type { PendingConfirmation } from '../../safety/confirm/pending-approvals.js';
import type { AdminDeps } from '../admin-deps.js';
import { AdminError } from '../admin-error.js';
import { actorOf } from '../actor.js';
import { validate } from '../validate.js';

const decisionBody = z.object({ reason: z.string().max(500).optional() }).strict();

/** What the WebGUI shows of a confirmation: everything but the binding internals. */
function view(e: PendingConfirmation) {
  const { binding: _binding, ...rest } = e;
  return rest;
}

/**
 * Pending confirmations: list, approve, deny, and a live stream (Server-Sent Events) so the page and
 * a waiting MCP call learn of changes at once. Only this API can decide; MCP tokens cannot.
 */
export function confirmationRoutes(deps: AdminDeps): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    res.json({ confirmations: deps.pending.list().map(view) });
  });

  for (const decision of ['approve', 'deny'] as const) {
    r.post(`/:id/${decision}`, async (req, res) => {
      const body = validate(decisionBody, req.body);
      const status = decision === 'approve' ? 'approved' : 'denied';
      const actor = actorOf(req);
      const decided = await deps.pending
        .decide(req.params.id, status, actor, body.reason ?? null)
        .catch((err: Error) => {
          throw new AdminError(/no pending/.test(err.message) ? 404 : 409, err.message);
        });
      await deps.recordEvent(actor, `confirmation.${status}`, {
        id: decided.id,
        tool: decided.tool,
        target: decided.target,
        requestedBy: decided.principal,
        reason: decided.reason,
      });
      res.json({ confirmation: view(decided) });
    });
  }

  r.get('/events', (req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    const send = (event: string, data: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('snapshot', { confirmations: deps.pending.list().map(view) });
    const onChange = (e: PendingConfirmation) => send('confirmation', view(e));
    deps.pending.events.on('change', onChange);
    // A comment line every 25 s keeps proxies from closing an idle stream.
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      deps.pending.events.off('change', onChange);
    });
  });
  return r;
}
