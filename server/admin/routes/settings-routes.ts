import { Router } from 'express';
import type Docker from 'dockerode';
import { z } from 'zod';
import type { SettingsStore } from '../../config/settings-store.js';
import type { SettingsPatch } from '../../config/settings-patch.js';
import { ConfigError } from '../../errors/config-error.js';
import { SettingsConflictError } from '../../config/settings-conflict-error.js';
import { SettingsWriteError } from '../../config/settings-write-error.js';
import { compilePolicy, PolicyRulesError } from '../../config/policy/compile-policy.js';
import { previewFilters } from '../../safety/policy/preview-filters.js';
import { AdminError } from '../admin-error.js';
import { listenProblem } from '../listen-check.js';
import { RESTART_FIELDS, bindProblem } from '../../config/settings.js';
import { actorOf } from '../actor.js';
import type { AdminDeps } from '../admin-deps.js';
import { validate } from '../validate.js';

const patterns = z.array(z.string()).max(10_001);
const previewBody = z
  .object({
    filters: z
      .object({
        containers: z.object({ allow: patterns, deny: patterns }).partial().strict(),
        vms: z.object({ allow: patterns, deny: patterns }).partial().strict(),
      })
      .partial()
      .strict(),
    protected: z.object({ containers: patterns, vms: patterns }).partial().strict(),
  })
  .partial()
  .strict();

/** Maps the store's errors to HTTP: field problems 400, stale revision 409, failed write 500 (rolled back). */
function asAdminError(err: unknown): unknown {
  if (err instanceof ConfigError)
    return new AdminError(
      400,
      `Invalid settings: ${err.message}`,
      err.problems.map((p) => ({ field: p.field, message: p.message })),
    );
  if (err instanceof PolicyRulesError)
    return new AdminError(400, `Invalid filters: ${err.message}`, err.problems);
  if (err instanceof SettingsConflictError) return new AdminError(409, err.message);
  if (err instanceof SettingsWriteError) return new AdminError(500, err.message);
  return err;
}

/**
 * A new port or address must be one the listener can move to at the next restart: refused now, next
 * to its field, when another program holds the port or the address is not this server's. Values of
 * the wrong type or range are left to the store's own checks; the address in use now is not probed
 * (the listener itself holds it).
 */
async function refuseUnusableAddress(deps: AdminDeps, store: SettingsStore, patch: SettingsPatch) {
  if (patch.port === undefined && patch.bind === undefined) return;
  const saved = store.current().settings;
  const port = patch.port ?? saved.port;
  const bind = patch.bind ?? saved.bind;
  if (!Number.isInteger(port) || port < 1 || port > 65535 || typeof bind !== 'string' || bindProblem(bind))
    return;
  if (port === deps.mcp.port() && bind === deps.mcp.host) return;
  const problem = await listenProblem(bind, port);
  if (problem) throw new AdminError(400, `Invalid settings: ${problem.field}: ${problem.message}`, [problem]);
}

/** The same for a new HTTPS port (the port the HTTPS listener holds now is not probed). */
async function refuseUnusableHttpsPort(deps: AdminDeps, store: SettingsStore, patch: SettingsPatch) {
  const port = patch.httpsPort;
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) return;
  const https = deps.mcp.https();
  if (https.serving && port === https.port) return;
  const bind = patch.bind ?? store.current().settings.bind;
  if (typeof bind !== 'string' || bindProblem(bind)) return;
  const problem = await listenProblem(bind, port, 'httpsPort');
  if (problem) throw new AdminError(400, `Invalid settings: ${problem.field}: ${problem.message}`, [problem]);
}

/** Where the filter preview finds the resources that exist now. */
export interface PreviewSources {
  docker: () => Promise<Docker>;
  /** Every VM's name (libvirt); rejects when the VM service is not running. */
  vmNames: () => Promise<string[]>;
}

/**
 * Settings get/put (optimistic concurrency with the revision in If-Match) and the filter preview:
 * which current containers and VMs each rule allows, denies or protects, for saved or draft rules.
 */
export function settingsRoutes(
  deps: AdminDeps,
  store: SettingsStore,
  { docker, vmNames }: PreviewSources,
): { settings: Router; filters: Router } {
  const settings = Router();
  settings.get('/', (_req, res) => {
    const snap = store.current();
    res
      .set('ETag', `"${snap.revision}"`)
      .json({ settings: snap.settings, revision: snap.revision, problems: snap.error?.problems ?? [] });
  });
  settings.put('/', async (req, res) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body))
      throw new AdminError(400, 'The body must be a JSON object of settings to change.');
    const ifMatch = req.headers['if-match']?.replace(/^W\//, '').replace(/"/g, '');
    await refuseUnusableAddress(deps, store, req.body as SettingsPatch);
    await refuseUnusableHttpsPort(deps, store, req.body as SettingsPatch);
    const result = await store
      .update(req.body as SettingsPatch, ifMatch || undefined)
      .catch((err: unknown) => {
        throw asAdminError(err);
      });
    if (result.changed.length) {
      await deps.recordEvent(actorOf(req), 'settings.changed', {
        changed: result.changed,
        written: result.written,
        warnings: result.warnings,
        revision: result.revision,
      });
    }
    res.set('ETag', `"${result.revision}"`).json({
      settings: result.snapshot.settings,
      revision: result.revision,
      changed: result.changed,
      warnings: result.warnings,
      restartNeeded: result.changed.filter((f) => (RESTART_FIELDS as ReadonlyArray<string>).includes(f)),
    });
  });

  const filters = Router();
  filters.post('/preview', async (req, res) => {
    const draft = validate(previewBody, req.body);
    const saved = store.current().settings;
    let policy;
    try {
      policy = compilePolicy({
        filters: {
          containers: { ...saved.filters.containers, ...draft.filters?.containers },
          vms: { ...saved.filters.vms, ...draft.filters?.vms },
        },
        protected: { ...saved.protected, ...draft.protected },
      });
    } catch (err) {
      throw asAdminError(err);
    }
    const sources: Record<string, string> = { docker: 'ok', libvirt: 'ok' };
    const [containers, vms] = await Promise.all([
      docker()
        .then((d) => d.listContainers({ all: true }))
        .then((list) =>
          list.map((c) => ({ name: (c.Names[0] ?? c.Id).replace(/^\//, ''), labels: c.Labels ?? {} })),
        )
        .catch(() => {
          sources.docker = 'the Docker service is not running';
          return [];
        }),
      vmNames()
        .then((names) => names.map((name) => ({ name })))
        .catch(() => {
          sources.libvirt = 'the VM service is not running';
          return [];
        }),
    ]);
    res.json({ ...previewFilters(policy, { containers, vms }), sources });
  });
  return { settings, filters };
}
