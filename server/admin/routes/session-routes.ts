import { Router } from 'express';
import type { SessionInfo } from '../../mcp/session-registry.js';
import type { AdminDeps } from '../admin-deps.js';
import { AdminError } from '../admin-error.js';
import { actorOf } from '../actor.js';

/** A session as the WebGUI and the CLI show it: times as ISO strings. */
function view(s: SessionInfo) {
  return {
    ...s,
    openedAt: new Date(s.openedAt).toISOString(),
    lastActive: new Date(s.lastActive).toISOString(),
  };
}

/**
 * Open MCP sessions (2025 revisions; 2026-07-28 requests have none): list them, and close one — its
 * open requests are answered "session closed" and the client's next request gets 404, as when it
 * idles out. The full session id is shown here (this API is the owner's) but never written to the
 * audit log or the sidecar's log, which name a session by its tag.
 */
export function sessionRoutes(deps: AdminDeps): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    res.json({ sessions: deps.sessions.list().map(view) });
  });
  r.delete('/:id', async (req, res) => {
    const actor = actorOf(req);
    const closed = await deps.sessions.closeById(req.params.id, `closed by the owner (${actor})`);
    if (!closed)
      throw new AdminError(
        404,
        `No open session with id "${req.params.id.slice(0, 100)}": it was closed already, or never existed. List the open ones with GET /api/sessions (unraid-mcp sessions list).`,
      );
    await deps.recordEvent(actor, 'admin.session_closed', {
      session: closed.tag,
      openedBy: closed.token,
      client: closed.client,
      calls: closed.calls,
      inFlight: closed.inFlight,
    });
    res.json({ session: view(closed) });
  });
  return r;
}
