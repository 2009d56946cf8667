import type { Express } from 'express';
import type Docker from 'dockerode';
import type { SettingsStore } from '../config/settings-store.js';
import type { AuditLog } from '../safety/audit/audit-log.js';
import type { Logger } from '../log.js';
import type { AdminDeps } from './admin-deps.js';
import { createAdminApp } from './create-admin-app.js';
import { statusRoutes } from './routes/status-routes.js';
import { tokenRoutes } from './routes/token-routes.js';
import { confirmationRoutes } from './routes/confirmation-routes.js';
import { settingsRoutes } from './routes/settings-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { sessionRoutes } from './routes/session-routes.js';

/** Assembles the admin API's routes. */
export function buildAdminApp(opts: {
  deps: AdminDeps;
  settingsStore: SettingsStore;
  docker: () => Promise<Docker>;
  audit: AuditLog;
  auditDirs: { ram: string; persistent: string };
  log: Logger;
}): Express {
  const { deps, settingsStore, audit } = opts;
  const { settings, filters } = settingsRoutes(deps, settingsStore, opts.docker);
  return createAdminApp(
    {
      status: statusRoutes(deps, () => ({
        audit: audit.status(),
        readOnly: settingsStore.current().settings.readOnly,
      })),
      tokens: tokenRoutes(deps),
      confirmations: confirmationRoutes(deps),
      sessions: sessionRoutes(deps),
      settings,
      filters,
      audit: auditRoutes(deps, audit, opts.auditDirs),
    },
    opts.log,
  );
}
