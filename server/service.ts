import type { Express } from 'express';
import type { ServiceEnv } from './config/env.js';
import { loadSettings, DEFAULT_SETTINGS, type Settings } from './config/settings.js';
import type { ConfigError } from './errors/config-error.js';
import type { Logger } from './log.js';
import type { AnyTool } from './tools/define-tool.js';
import { allTools } from './tools/index.js';
import { createHostReader } from './backends/host/host-reader.js';
import { dockerProbe } from './backends/docker-probe.js';
import { libvirtProbe } from './backends/libvirt-probe.js';
import { cachedProbe, type BackendProbe } from './backends/backend-probe.js';
import { TokenAuthenticator } from './tokens/token-authenticator.js';
import { AuditWriter } from './safety/audit/audit-writer.js';
import { SessionRegistry } from './mcp/session-registry.js';
import { InflightTracker } from './mcp/inflight.js';
import { createMetrics } from './http/metrics.js';
import { buildAllowedHosts } from './http/host-origin.js';
import { createApp } from './http/create-app.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface Service {
  app: Express;
  settings: Settings;
  /** Stops sessions (letting calls finish up to the deadline), flushes the audit log and token usage. */
  shutdown(deadlineMs?: number): Promise<void>;
}

/**
 * Builds every part of the sidecar from its settings and wires them together. Opens no listener and
 * installs no signal handler: main.ts (and tests) do that.
 */
export async function createService(env: ServiceEnv, log: Logger, opts: { tools?: ReadonlyArray<AnyTool>; defaultMetrics?: boolean } = {}): Promise<Service> {
  let settings: Settings = DEFAULT_SETTINGS;
  let settingsError: ConfigError | null = null;
  try {
    settings = await loadSettings(env.configDir);
  } catch (err) {
    settingsError = err as ConfigError;
    log.error('unraid-mcp.cfg is invalid; MCP stays disabled until it is fixed', { problems: settingsError.problems });
  }

  const auth = new TokenAuthenticator({ configDir: env.configDir, stateDir: env.stateDir, now: () => new Date(), log });
  await auth.init();
  const audit = new AuditWriter({ dir: env.auditDir, log });
  await audit.open();
  if (!env.auditPersistent) log.warn('the audit log is in RAM and will not survive a reboot', { auditDir: env.auditDir });

  const metrics = createMetrics({ defaultMetrics: opts.defaultMetrics ?? true });
  const configProbe: BackendProbe = {
    name: 'config',
    check: () => {
      const problem = settingsError ?? auth.configError();
      return Promise.resolve(problem ? problem.message : null);
    },
  };
  const probes = [configProbe, cachedProbe(dockerProbe(env.dockerSocket)), cachedProbe(libvirtProbe(env.libvirtUri))];

  const inflight = new InflightTracker();
  const callEnv = {
    deps: { host: createHostReader({ procRoot: env.procRoot, sysRoot: env.sysRoot, emhttpRoot: env.emhttpRoot }), log },
    audit,
    metrics,
    settings: () => settings,
    inflight,
  };
  const sessions = new SessionRegistry({
    limits: () => ({ maxTotal: settings.maxSessions, maxPerToken: settings.maxSessionsPerToken, idleMs: settings.sessionIdleMs }),
    isTokenLive: (id) => auth.isLive(id),
    log,
    onCountChange: (n) => metrics.sessions.set(n),
  });
  let shuttingDown = false;
  const app = createApp({
    env: callEnv,
    tools: opts.tools ?? allTools,
    auth: settingsError ? disabledAuth(auth, settingsError) : auth,
    sessions,
    metrics,
    probes,
    allowedHosts: buildAllowedHosts({ bindHost: env.host, extra: env.allowedHosts }),
    bodyLimitBytes: BODY_LIMIT_BYTES,
    shuttingDown: () => shuttingDown,
  });

  const usageTimer = setInterval(() => void auth.flushUsage(), 60_000);
  usageTimer.unref();

  return {
    app,
    settings,
    async shutdown(deadlineMs = 10_000) {
      shuttingDown = true;
      clearInterval(usageTimer);
      const unfinished = await inflight.drain(deadlineMs);
      if (unfinished) log.warn('shutting down with tool calls still running', { count: unfinished });
      await sessions.closeAll();
      await auth.flushUsage();
      await audit.close();
    },
  };
}

/** With invalid settings every MCP request is refused with the problems, so nothing runs on weakened rules. */
function disabledAuth(auth: TokenAuthenticator, error: ConfigError): TokenAuthenticator {
  return Object.assign(Object.create(auth) as TokenAuthenticator, {
    authenticate: () => ({ ok: false as const, reason: 'config' as const, message: `MCP is disabled until unraid-mcp.cfg is fixed: ${error.message}` }),
  });
}
