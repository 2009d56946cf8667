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
import { storageRoutes } from './routes/storage-routes.js';
import type { DataPlacement } from '../safety/data-placement.js';
import { sessionRoutes } from './routes/session-routes.js';
import { toolRoutes } from './routes/tool-routes.js';
import type { AnyTool } from '../tools/define-tool.js';

/** Assembles the admin API's routes. */
export function buildAdminApp(opts: {
  deps: AdminDeps;
  settingsStore: SettingsStore;
  docker: () => Promise<Docker>;
  vmNames: () => Promise<string[]>;
  audit: AuditLog;
  placement: DataPlacement;
  log: Logger;
  tools: ReadonlyArray<AnyTool>;
}): Express {
  const { deps, settingsStore, audit } = opts;
  const { settings, filters } = settingsRoutes(deps, settingsStore, opts);
  return createAdminApp(
    {
      status: statusRoutes(deps, () => {
        const snap = settingsStore.current();
        return {
          audit: audit.status(),
          // Where the audit log and pending approvals are, and why RAM when appdata was asked for.
          storage: opts.placement.status(),
          readOnly: snap.settings.readOnly,
          settings: {
            valid: snap.error === null,
            problems: (snap.error?.problems ?? []).map((p) => ({
              file: p.file,
              field: p.field,
              message: p.message,
            })),
          },
        };
      }),
      tokens: tokenRoutes(deps),
      confirmations: confirmationRoutes(deps),
      sessions: sessionRoutes(deps),
      tools: toolRoutes(settingsStore, opts.tools),
      settings,
      filters,
      audit: auditRoutes(deps, audit, opts.placement),
      storage: storageRoutes(deps, opts.placement),
    },
    opts.log,
  );
}
