import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import type { Logger } from '../log.js';
import { AdminError } from './admin-error.js';

/**
 * The admin API the WebGUI page (through its PHP bridge) and the CLI use. It is served only on a
 * unix socket (mode 0600) or, for the demo, on loopback — never on the LAN listener.
 */
export function createAdminApp(routes: Record<string, Router>, log: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(express.json({ limit: '2mb' }));
  for (const [path, router] of Object.entries(routes)) app.use(`/api/${path}`, router);
  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found.' });
  });
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    if (err instanceof AdminError) {
      res.status(err.status).json({ error: err.message, problems: err.problems });
      return;
    }
    const type = (err as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      res.status(400).json({ error: 'The body is not valid JSON.', problems: [] });
      return;
    }
    if (type === 'entity.too.large') {
      res.status(413).json({ error: 'The body is too large (limit 2 MB).', problems: [] });
      return;
    }
    log.error('admin API error', { err });
    if (!res.headersSent)
      res.status(500).json({ error: 'Internal error; see the unraid-mcp log.', problems: [] });
  };
  app.use(onError);
  return app;
}
