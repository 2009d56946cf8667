import type { RequestListener } from 'node:http';
import type { ServiceEnv } from './config/env.js';
import type { Settings } from './config/settings.js';
import { SettingsStore } from './config/settings-store.js';
import { listenAddress, type ListenAddress } from './config/listen-address.js';
import { knownToolsOf } from './config/settings-check.js';
import type { Logger } from './log.js';
import type { AnyTool } from './tools/define-tool.js';
import { allTools } from './tools/index.js';
import type { RecreateTuning } from './tools/context.js';
import { createHostReader } from './backends/host/host-reader.js';
import { dockerProbe } from './backends/docker-probe.js';
import { libvirtProbe } from './backends/libvirt-probe.js';
import { cachedProbe, type BackendProbe } from './backends/backend-probe.js';
import { TokenAuthenticator } from './tokens/token-authenticator.js';
import { toolListKey } from './safety/select-tools.js';
import { AuditLog } from './safety/audit/audit-log.js';
import { auditProbe } from './safety/audit/audit-probe.js';
import { SessionRegistry } from './mcp/session-registry.js';
import { InflightTracker } from './mcp/inflight.js';
import { ServiceShutdown } from './errors/service-shutdown.js';
import { createMetrics } from './metrics.js';
import { acceptCertificateHosts, buildAllowedHosts } from './http/host-origin.js';
import { TlsListener } from './http/tls/tls-listener.js';
import { lanAddresses } from './util/lan-addresses.js';
import { createLanHandler } from './http/lan-handler.js';
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { randomUUID } from 'node:crypto';
import { lazyDockerClient } from './backends/docker/docker-client.js';
import { LibvirtClient } from './backends/vm/libvirt-client.js';
import { listVms } from './backends/vm/list-vms.js';
import { createTargetResolver } from './backends/target-resolver.js';
import { TokenConfirmations } from './safety/confirm/token-confirmations.js';
import { PendingApprovals } from './safety/confirm/pending-approvals.js';
import { DataPlacement, startPlacement } from './safety/data-placement.js';
import { KeyedMutex } from './util/keyed-mutex.js';
import { IdleCollector } from './util/idle-collector.js';
import { fullCollection } from './util/heap-tuning.js';
import { redact } from './util/redact.js';
import { SERVER_INFO, type ModernParts } from './mcp/tool-server.js';
import { ConfirmRounds } from './mcp/rounds/confirm-rounds.js';
import { TaskStore } from './mcp/tasks/task-store.js';
import { modernHandler } from './http/modern-handler.js';
import type { Principal } from './tokens/token-authenticator.js';
import type { AdminDeps } from './admin/admin-deps.js';
import { migrateConfig } from './config/migrations/migrate-config.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface Service {
  app: RequestListener;
  /** The admin API (WebGUI bridge and CLI); main.ts serves it on the unix socket only. */
  adminApp: RequestListener;
  /** The settings in force now (re-read when unraid-mcp.cfg or policy.json change). */
  readonly settings: Settings;
  settingsStore: SettingsStore;
  /** Where the MCP listener is to listen (environment, else the owner's settings). */
  readonly listen: ListenAddress;
  /** The port the MCP listener got (the configured one may be 0); the WebGUI shows URLs with it. */
  listeningOn(port: number): void;
  /** The HTTPS listener (off until main.ts starts it; it listens while a certificate is usable). */
  https: TlsListener;
  /**
   * Lets calls finish up to the deadline, answers the rest with an error saying the service is
   * stopping, closes sessions, flushes the audit log and token usage. Runs once; later calls return
   * the same promise.
   */
  shutdown(deadlineMs?: number): Promise<void>;
}

/**
 * Builds every part of the sidecar from its settings and wires them together. Opens no listener and
 * installs no signal handler: main.ts (and tests) do that.
 */
export interface ServiceOptions {
  /** The tools to serve (tests narrow the registry); all of them by default. */
  tools?: ReadonlyArray<AnyTool>;
  defaultMetrics?: boolean;
  /** docker_update's container swap; tests shorten the settle time and break the new container on purpose. */
  recreate?: Partial<RecreateTuning>;
}

/** Quiet time after which the heap's garbage is collected (see IdleCollector), and the growth that makes it worth it. */
const IDLE_COLLECT_AFTER_MS = 10_000;
const IDLE_COLLECT_GROWTH_BYTES = 16 * 1024 * 1024;

/** How long a re-created container must keep running before docker_update removes the old one. */
const RECREATE_SETTLE_MS = 2000;

/**
 * How long shutdown waits, after aborting the calls still running at its deadline, for them to
 * answer and write their outcome records (a durable audit append, not the tools' own work).
 */
const ANSWER_GRACE_MS = 2000;

export async function createService(
  env: ServiceEnv,
  log: Logger,
  opts: ServiceOptions = {},
): Promise<Service> {
  const tools = opts.tools ?? allTools;
  // A cfg written by an older version is brought up to date before it is read (config/migrations/).
  await migrateConfig({ configDir: env.configDir, log });
  // Invalid files are logged by the store and refuse MCP (disabledAuth) until fixed; edits apply without restart.
  const settingsStore = new SettingsStore({ configDir: env.configDir, knownTools: knownToolsOf(tools), log });
  const initialSettings = (await settingsStore.load()).settings;
  // Invalid settings at start leave the defaults' address (the lockdown's), so the page can still fix them.
  const address = listenAddress(env, initialSettings);

  const auth = new TokenAuthenticator({
    configDir: env.configDir,
    stateDir: env.stateDir,
    now: () => new Date(),
    log,
  });
  await auth.init();
  // Appdata only when its folder is there and writable now; else RAM, and the status says why.
  const place = await startPlacement(env);
  if (place.problem) log.warn('persistent storage not used at start', { problem: place.problem });
  const audit = new AuditLog({
    dir: place.auditDir,
    persistent: place.auditPersistent,
    log,
    limits: () => {
      const s = settingsStore.current().settings;
      return { retentionMs: s.auditRetentionMs, minFreeBytes: s.auditMinFreeBytes };
    },
  });
  await audit.open();
  // Records written to RAM while the array was stopped (then a sidecar restart straight into appdata)
  // join the persistent log now rather than at the next array stop — a reboot before then would lose them.
  if (place.leftovers.audit && existsSync(place.leftovers.audit)) {
    await audit
      .adopt(place.leftovers.audit)
      .catch((err: unknown) => log.error('could not adopt audit records left in RAM', { err }));
  }
  if (!place.auditPersistent)
    log.warn('the audit log is in RAM and will not survive a reboot', { auditDir: place.auditDir });

  const metrics = createMetrics({ defaultMetrics: opts.defaultMetrics ?? true });
  const configProbe: BackendProbe = {
    name: 'config',
    check: () => {
      const problem = settingsStore.configError() ?? auth.configError();
      return Promise.resolve(problem ? problem.message : null);
    },
  };
  const probes = [
    configProbe,
    // No audit, no action: while the log refuses records every call is refused, so the sidecar is not ready.
    cachedProbe(auditProbe(audit), 1000),
    cachedProbe(dockerProbe(env.dockerSocket)),
    cachedProbe(libvirtProbe(env.libvirtUri)),
  ];

  const pending = new PendingApprovals({ stateDir: place.approvalsDir, log });
  await pending.load(place.leftovers.approvals ? [place.leftovers.approvals] : []);
  const placement = new DataPlacement({
    audit,
    pending,
    log,
    start: { location: place.location, problem: place.problem },
    dirs: {
      auditRam: env.auditRamDir,
      auditPersistent: env.auditPersistentDir,
      approvalsRam: env.approvalsRamDir,
      approvalsPersistent: env.approvalsPersistentDir,
      persistentRoot: env.persistentRoot,
    },
  });
  const systemEvent = (event: string, details: Record<string, unknown>, principal = 'system') =>
    audit.append(
      {
        id: randomUUID(),
        time: new Date().toISOString(),
        stage: 'event',
        principal,
        event,
        details: redact(details),
      },
      true,
    );
  // Expiry is noticed lazily by the store; the audit log still gets one record per expired request.
  pending.events.on('change', (e: { id: string; status: string; tool: string }) => {
    if (e.status === 'expired')
      systemEvent('confirmation.expired', { id: e.id, tool: e.tool }).catch((err: unknown) =>
        log.error('audit failed', { err }),
      );
  });

  const docker = lazyDockerClient(env.dockerSocket);
  const libvirt = new LibvirtClient({
    uri: env.libvirtUri,
    onCall: (op) => metrics.libvirtCalls.inc({ op }),
  });
  const inflight = new InflightTracker();
  const callEnv = {
    deps: {
      host: createHostReader({ procRoot: env.procRoot, sysRoot: env.sysRoot, emhttpRoot: env.emhttpRoot }),
      docker,
      libvirt,
      log,
      layout: {
        dockerTemplatesDir: env.dockermanTemplates,
        updateContainerScript: env.updateContainerScript,
        bindAllowlist: env.bindAllowlist,
        vmShares: env.vmShares,
        unraid: {
          emhttpdSocket: env.emhttpdSocket,
          varIni: `${env.emhttpRoot}/var.ini`,
          parityLog: env.parityLog,
          dynamixCfg: env.dynamixCfg,
          notifyScript: env.notifyScript,
          syslog: env.syslog,
          disksIni: `${env.emhttpRoot}/disks.ini`,
          smartctl: env.smartctl,
          nvidiaSmi: env.nvidiaSmi,
          apcupsd: env.apcupsdAddr,
          nut: env.nutAddr,
          procRoot: env.procRoot,
          sysRoot: env.sysRoot,
          arrayCommandTimeoutMs: env.arrayCommandTimeoutMs,
          pluginsDir: env.pluginsDir,
          pluginsCheckedDir: env.pluginsCheckedDir,
          userScriptsDir: env.userScriptsDir,
          userScriptsTmpDir: env.userScriptsTmpDir,
          userScriptsRunner: env.userScriptsRunner,
          rebootCommand: env.rebootCommand,
          poweroffCommand: env.poweroffCommand,
        },
      },
      recreate: { settleMs: RECREATE_SETTLE_MS, ...opts.recreate },
      now: () => new Date(),
      settings: () => settingsStore.current().settings,
    },
    audit,
    metrics,
    settings: () => settingsStore.current().settings,
    policy: () => settingsStore.current().policy,
    resolver: createTargetResolver({ docker, libvirt, hostname }),
    confirmations: { tokens: new TokenConfirmations(), pending },
    locks: new KeyedMutex(),
    inflight,
  };
  const sessions = new SessionRegistry({
    limits: () => {
      const settings = settingsStore.current().settings;
      return {
        maxTotal: settings.maxSessions,
        maxPerToken: settings.maxSessionsPerToken,
        idleMs: settings.sessionIdleMs,
      };
    },
    currentPrincipal: (id) => auth.principalOf(id),
    toolsKey: (principal) => toolsKey(principal),
    log,
    onCountChange: (n) => metrics.sessions.set(n),
  });
  const parts: ModernParts = { rounds: new ConfirmRounds(), tasks: new TaskStore() };
  const toolsKey = (principal: Principal) => {
    const s = settingsStore.current().settings;
    return toolListKey({ scope: principal.scope, readOnly: s.readOnly, toolsets: s.toolsets });
  };
  const modern = modernHandler({
    env: callEnv,
    tools,
    parts,
    bodyLimitBytes: BODY_LIMIT_BYTES,
    maxSubscriptions: initialSettings.maxSessions,
    toolsKey: (tokenId) => {
      const principal = auth.principalOf(tokenId);
      return principal && toolsKey(principal);
    },
    onError: (err) => log.debug('mcp 2026-07-28 request refused or failed', { err: err.message }),
  });
  let shuttingDown = false;
  // ALLOWED_HOSTS from the cfg as read at start (a change needs a restart until this set is live),
  // plus the names of the certificates HTTPS serves now (replaced when they change).
  const baseHosts = buildAllowedHosts({
    bindHost: address.host,
    extra: [...env.allowedHosts, ...initialSettings.allowedHosts],
  });
  const allowedHosts = new Set(baseHosts);
  const lanHandler = createLanHandler({
    env: callEnv,
    tools,
    auth: disabledAuth(auth, settingsStore),
    sessions,
    modern,
    parts,
    metrics,
    probes,
    allowedHosts,
    bodyLimitBytes: BODY_LIMIT_BYTES,
    shuttingDown: () => shuttingDown,
    log,
  });
  const idle = idleCollector();
  const app: RequestListener = idle
    ? (req, res) => {
        idle.touch();
        lanHandler(req, res);
      }
    : lanHandler;

  const https = new TlsListener({
    enabled: address.https,
    certsDir: env.certsDir,
    host: address.host,
    port: address.httpsPort,
    portSetting: address.httpsPortSetting,
    hostName: hostname(),
    addresses: () => lanAddresses(address.host),
    app,
    log,
    onChange: (state) =>
      acceptCertificateHosts(
        allowedHosts,
        baseHosts,
        state.certificates.flatMap((c) => c.hosts),
      ),
  });

  // The port clients reach MCP on: the configured one until the listener reports the one it got.
  let listeningPort = address.port;
  const adminDeps: AdminDeps = {
    version: SERVER_INFO.version,
    startedAt: new Date(),
    configDir: env.configDir,
    stateDir: env.stateDir,
    probes,
    sessions,
    pending,
    now: () => new Date(),
    mcp: {
      host: address.host,
      port: () => listeningPort,
      fromEnvironment: address.fromEnvironment,
      http: address.http,
      https: () => https.state(),
      notServing: () => notServingReason(settingsStore),
    },
    callsLastHour: () => metrics.callsLastHour.total(),
    recordEvent: async (actor, event, details) => {
      await systemEvent(event, details, actor);
    },
  };
  // Built on first use: the admin API (and the web framework behind it) serves the WebGUI page, which
  // is opened rarely; an idle sidecar should not carry it.
  const adminApp = lazyListener(async () => {
    const { buildAdminApp } = await import('./admin/build-admin-app.js');
    return buildAdminApp({
      deps: adminDeps,
      settingsStore,
      docker,
      vmNames: async () => (await listVms(libvirt)).map((vm) => vm.name),
      audit,
      placement,
      log,
      tools,
    });
  });

  const usageTimer = setInterval(() => void auth.flushUsage(), 60_000);
  usageTimer.unref();
  let stopped: Promise<void> | null = null;

  return {
    app,
    adminApp,
    get settings() {
      return settingsStore.current().settings;
    },
    settingsStore,
    listen: address,
    listeningOn(port: number) {
      listeningPort = port;
    },
    https,
    shutdown(deadlineMs = 10_000) {
      // Once: main.ts may see SIGTERM and SIGINT, and tests stop a service they already stopped.
      stopped ??= stop(deadlineMs);
      return stopped;
    },
  };

  async function stop(deadlineMs: number): Promise<void> {
    shuttingDown = true;
    https.stopAccepting();
    clearInterval(usageTimer);
    idle?.stop();
    // Tasks waiting for the owner stop waiting; one already running its tool is drained below.
    parts.tasks.abortAll(new ServiceShutdown());
    const unfinished = await inflight.drain(deadlineMs);
    if (unfinished) {
      log.warn('shutting down with tool calls still running', { count: unfinished });
      // Their signals abort with ServiceShutdown, which the pipeline tells from a client's
      // cancellation: each call answers at once (its deadline step settles on the abort, whatever
      // the tool does) with a JSON-RPC error saying the service is stopping, and writes its outcome
      // record. This waits for those answers and records, not for the tools' own work.
      inflight.abortAll(new ServiceShutdown());
      const unanswered = await inflight.drain(ANSWER_GRACE_MS);
      if (unanswered) log.warn('tool calls did not answer after the shutdown abort', { count: unanswered });
    }
    // Requests still open now are answered by the transport (never an empty response).
    await sessions.closeAll();
    await modern.close();
    await auth.flushUsage();
    await libvirt.close();
    await https.close();
    await audit.close();
  }
}

/** A request listener created by `build` on the first request; later requests reuse it. */
function lazyListener(build: () => Promise<RequestListener>): RequestListener {
  let listener: Promise<RequestListener> | null = null;
  return (req, res) => {
    listener ??= build();
    listener.then(
      (l) => l(req, res),
      () => {
        listener = null;
        res
          .writeHead(500, { 'Content-Type': 'application/json' })
          .end('{"error":"the admin API failed to start; see the unraid-mcp log"}');
      },
    );
  };
}

/**
 * While the settings files are invalid every MCP request is refused with the problems, so nothing runs
 * on weakened rules. A Proxy rather than Object.create: every other method still runs on `auth` itself,
 * so its state (reloaded tokens, usage) is never split between two objects.
 */
/**
 * The collector that gives memory back once requests stop. Its full collection comes from
 * util/heap-tuning.ts, which needs no --expose-gc on Node's command line.
 */
function idleCollector(): IdleCollector | null {
  const gc = fullCollection();
  return new IdleCollector({
    // Compacting moves the survivors together, so whole pages come free and go back to the system;
    // a plain full collection leaves them scattered (heap total about twice the heap used). Only
    // this collection compacts everything: V8 reads the flag at each collection.
    collect: () => {
      setFlagsFromString('--compact-on-every-full-gc');
      try {
        gc();
      } finally {
        setFlagsFromString('--no-compact-on-every-full-gc');
      }
    },
    heapSize: () => process.memoryUsage().heapTotal,
    quietMs: IDLE_COLLECT_AFTER_MS,
    growthBytes: IDLE_COLLECT_GROWTH_BYTES,
  });
}

/** Why MCP refuses every call now: the settings files are invalid (null: it serves). */
function notServingReason(store: SettingsStore): string | null {
  const error = store.configError();
  if (!error) return null;
  const files = [...new Set(error.problems.map((p) => p.file))].join(' and ');
  return `MCP is disabled until ${files} ${files.includes(' and ') ? 'are' : 'is'} fixed: ${error.message}`;
}

function disabledAuth(auth: TokenAuthenticator, store: SettingsStore): TokenAuthenticator {
  const authenticate = (secret: string): ReturnType<TokenAuthenticator['authenticate']> => {
    const message = notServingReason(store);
    return message === null ? auth.authenticate(secret) : { ok: false, reason: 'config', message };
  };
  return new Proxy(auth, {
    get: (target, prop, receiver) =>
      prop === 'authenticate' ? authenticate : (Reflect.get(target, prop, receiver) as unknown),
  });
}
