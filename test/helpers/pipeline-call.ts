import { mkdtempSync } from 'node:fs';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledPolicy, type PolicyRules } from '../../server/config/policy/compile-policy.js';
import { DEFAULT_POLICY_SETTINGS, settingsFromCfg, type Settings } from '../../server/config/settings.js';
import { DEFAULT_VM_SHARES } from '../../server/config/vm-shares.js';
import { createHostReader } from '../../server/backends/host/host-reader.js';
import type { TargetResolver } from '../../server/backends/target-resolver.js';
import { LibvirtClient } from '../../server/backends/vm/libvirt-client.js';
import { NotFoundError } from '../../server/errors/not-found-error.js';
import { createLogger } from '../../server/log.js';
import { createMetrics, type Metrics } from '../../server/metrics.js';
import { InflightTracker } from '../../server/mcp/inflight.js';
import type { CallEnv, Caller, CallRequest, Handler, ToolCall } from '../../server/mcp/pipeline/tool-call.js';
import { Refusal } from '../../server/mcp/pipeline/refusal.js';
import type { AuditEntry, AuditEvent, AuditRecord } from '../../server/safety/audit/audit-record.js';
import { PendingApprovals } from '../../server/safety/confirm/pending-approvals.js';
import { TokenConfirmations } from '../../server/safety/confirm/token-confirmations.js';
import type { Principal } from '../../server/tokens/token-authenticator.js';
import type { AnyTool } from '../../server/tools/define-tool.js';
import { KeyedMutex } from '../../server/util/keyed-mutex.js';
import { redact } from '../../server/util/redact.js';
import type { ResolvedTarget, TargetRef } from '../../server/vocabulary.js';

/**
 * Building blocks for unit tests of the call pipeline's steps (server/mcp/pipeline/): a real ToolCall
 * around real settings, policy, metrics, locks and confirmation stores, with the audit log and the
 * target resolver kept in memory so a test can read back what each step did.
 */

/** The settings a fresh install runs with (an empty cfg, no policy), with some fields changed. */
export const settingsWith = (over: Partial<Settings> = {}): Settings => ({
  ...settingsFromCfg({}),
  ...DEFAULT_POLICY_SETTINGS,
  ...over,
});

/** Name rules for containers (and VMs); empty lists where not given. */
export function rulesWith(
  r: {
    allow?: string[];
    deny?: string[];
    protected?: string[];
    vmDeny?: string[];
    vmProtected?: string[];
  } = {},
): PolicyRules {
  return {
    filters: {
      containers: { allow: r.allow ?? [], deny: r.deny ?? [] },
      vms: { allow: [], deny: r.vmDeny ?? [] },
    },
    protected: { containers: r.protected ?? [], vms: r.vmProtected ?? [] },
  };
}

const hexId = (seed: string) => (seed.repeat(64 / seed.length) + '0'.repeat(64)).slice(0, 64);

/** Containers and a VM the in-memory resolver knows. */
export const PLEX: ResolvedTarget = { kind: 'container', id: hexId('a1b2c3d4'), name: 'plex', labels: {} };
export const VAULT: ResolvedTarget = {
  kind: 'container',
  id: hexId('b7e8f9'),
  name: 'vaultwarden',
  labels: {},
};
export const LABELLED: ResolvedTarget = {
  kind: 'container',
  id: hexId('c0ffee'),
  name: 'db',
  labels: { 'unraid-mcp.protected': 'true' },
};
export const WIN11: ResolvedTarget = {
  kind: 'vm',
  id: '5c1e4d2a-0000-4000-8000-000000000001',
  name: 'win11',
  labels: {},
};
export const KNOWN_TARGETS: ReadonlyArray<ResolvedTarget> = [PLEX, VAULT, LABELLED, WIN11];

/** One append the audit log received: the entry and whether the caller asked for it to be durable. */
export interface AuditLine {
  entry: AuditEntry;
  durable: boolean;
}

export interface MemoryAudit {
  append(entry: AuditEntry, durable: boolean): Promise<void>;
  /** Appends that were written. */
  records: AuditLine[];
  /** Appends that were refused (threw). */
  refused: AuditLine[];
  intents(): AuditRecord[];
  outcomes(): AuditRecord[];
  events(): AuditEvent[];
}

/** An audit log in memory; `fail` decides which appends throw (as a full disk would). */
export function memoryAudit(fail: (entry: AuditEntry) => boolean = () => false): MemoryAudit {
  const records: AuditLine[] = [];
  const refused: AuditLine[] = [];
  const stage = <T extends AuditEntry>(s: AuditEntry['stage']) =>
    records.filter((r) => r.entry.stage === s).map((r) => r.entry as T);
  return {
    records,
    refused,
    async append(entry, durable) {
      if (fail(entry)) {
        refused.push({ entry, durable });
        throw new Error('ENOSPC: no space left on device, write');
      }
      records.push({ entry, durable });
    },
    intents: () => stage<AuditRecord>('intent'),
    outcomes: () => stage<AuditRecord>('outcome'),
    events: () => stage<AuditEvent>('event'),
  };
}

/** An audit log that cannot be written at all. */
export const brokenAudit = (): MemoryAudit => memoryAudit(() => true);

export interface MemoryResolver extends TargetResolver {
  /** Every resolve call, with the signal it was given. */
  calls: Array<{ target: TargetRef; signal: AbortSignal }>;
}

/** Resolves a name, a full ID or an ID prefix (4+ characters) among `targets`; anything else is not found. */
export function memoryResolver(targets: ReadonlyArray<ResolvedTarget> = KNOWN_TARGETS): MemoryResolver {
  const calls: MemoryResolver['calls'] = [];
  return {
    calls,
    async resolve(target, signal) {
      calls.push({ target, signal });
      const found = targets.find(
        (t) =>
          t.kind === target.kind &&
          (t.name === target.ref ||
            t.id === target.ref ||
            (target.ref.length >= 4 && t.id.startsWith(target.ref))),
      );
      if (!found) throw new NotFoundError(`${target.kind} "${target.ref}" does not exist`);
      return found;
    },
  };
}

export interface TestEnv extends CallEnv {
  audit: MemoryAudit;
  resolver: MemoryResolver;
  metrics: Metrics;
  locks: KeyedMutex;
  confirmations: { tokens: TokenConfirmations; pending: PendingApprovals };
  /** Every log line (JSON), for asserting what was logged. */
  logLines: string[];
}

export interface TestEnvOptions {
  settings?: Partial<Settings>;
  rules?: PolicyRules;
  audit?: MemoryAudit;
  resolver?: MemoryResolver;
  /** Where PendingApprovals keeps its file; one temporary directory shared by this test file's envs when not given. */
  stateDir?: string;
  locks?: KeyedMutex;
}

let sharedStateDir: string | undefined;

/** A CallEnv from real parts, with the audit log and resolver in memory and a logger that keeps its lines. */
export function testEnv(opts: TestEnvOptions = {}): TestEnv {
  const logLines: string[] = [];
  const log = createLogger('debug', (line) => logLines.push(line));
  const settings = settingsWith(opts.settings);
  const policy = CompiledPolicy.compile(opts.rules ?? rulesWith());
  const nowhere = '/nonexistent/unraid-mcp-test';
  return {
    deps: {
      host: createHostReader({ procRoot: nowhere, sysRoot: nowhere, emhttpRoot: nowhere }),
      docker: () => Promise.reject(new Error('pipeline unit tests never use Docker')),
      libvirt: new LibvirtClient({ uri: 'test:///default' }),
      log,
      layout: {
        dockerTemplatesDir: nowhere,
        updateContainerScript: nowhere,
        bindAllowlist: [],
        vmShares: DEFAULT_VM_SHARES,
      },
      recreate: { settleMs: 0 },
      now: () => new Date(),
    },
    audit: opts.audit ?? memoryAudit(),
    metrics: createMetrics({ defaultMetrics: false }),
    settings: () => settings,
    policy: () => policy,
    resolver: opts.resolver ?? memoryResolver(),
    confirmations: {
      tokens: new TokenConfirmations(),
      pending: new PendingApprovals({
        stateDir: opts.stateDir ?? (sharedStateDir ??= mkdtempSync(join(tmpdir(), 'umcp-pipeline-'))),
        log,
      }),
    },
    locks: opts.locks ?? new KeyedMutex(),
    inflight: new InflightTracker(),
    logLines,
  };
}

/** The log lines' messages (`msg`), in order. */
export const loggedMessages = (env: TestEnv): string[] =>
  env.logLines.map((l) => (JSON.parse(l) as { msg: string }).msg);

export const ADMIN: Principal = { name: 'claude', scope: 'admin', tokenId: 'tok-admin-0001' };
export const OPERATOR: Principal = { name: 'helper', scope: 'operate', tokenId: 'tok-oper-0002' };
export const READER: Principal = { name: 'viewer', scope: 'read', tokenId: 'tok-read-0003' };

export const CLIENT = { name: 'test-client', version: '1.0' };
export const SESSION = 'feedfacecafebeef';

/** The state a step may find already set by the steps before it. */
export type CallState = Partial<
  Pick<
    ToolCall,
    'args' | 'confirmationToken' | 'confirmationId' | 'target' | 'resolved' | 'confirmation' | 'intentWritten'
  >
>;

export interface TestCallOptions extends CallState {
  env?: TestEnv;
  /** The arguments as the client sent them (req.args). */
  request?: unknown;
  principal?: Principal;
  /** The settings snapshot of this call; the env's when not given. */
  settings?: Partial<Settings>;
  signal?: AbortSignal;
  elicit?: Caller['elicit'];
  progress?: CallRequest['progress'];
}

/** A ToolCall as callTool starts one (see server/mcp/call-tool.ts), plus whatever state the earlier steps would have set. */
export function testCall(tool: AnyTool, opts: TestCallOptions = {}): ToolCall & { env: TestEnv } {
  const env = opts.env ?? testEnv();
  const signal = opts.signal ?? new AbortController().signal;
  const { env: _e, request, principal, settings, signal: _s, elicit, progress, ...state } = opts;
  return {
    env,
    tool,
    caller: {
      principal: principal ?? ADMIN,
      client: CLIENT,
      sessionTag: SESSION,
      elicit: elicit ?? null,
      deferApproval: null,
    },
    req: { args: request, signal, progress: progress ?? (async () => {}) },
    settings: settings ? { ...env.settings(), ...settings } : env.settings(),
    started: performance.now(),
    intentId: randomUUID(),
    writing: !tool.annotations.readOnlyHint,
    redactedArgs: redact((request ?? {}) as Record<string, unknown>),
    args: {},
    target: null,
    resolved: null,
    intentWritten: false,
    signal,
    ...state,
  };
}

/** A `next` handler that records the calls it gets and answers with `answer`. */
export function nextStub<R>(answer: (call: ToolCall) => R | Promise<R>): Handler<R> & { calls: ToolCall[] } {
  const calls: ToolCall[] = [];
  const handler = async (call: ToolCall) => {
    calls.push(call);
    return answer(call);
  };
  return Object.assign(handler, { calls });
}

/** A `next` that must not be reached. */
export const unreachable = <R = CallToolResult>(): Handler<R> & { calls: ToolCall[] } =>
  nextStub<R>(() => {
    throw new Error('next must not be called');
  });

/** How many tool calls the metrics counted for this tool (and outcome, when given). */
export async function countedCalls(metrics: Metrics, tool: string, outcome?: string): Promise<number> {
  const { values } = await metrics.toolCalls.get();
  return values
    .filter((v) => v.labels.tool === tool && (outcome === undefined || v.labels.outcome === outcome))
    .reduce((n, v) => n + v.value, 0);
}

/** How many durations the histogram observed for this tool. */
export async function observedDurations(metrics: Metrics, tool: string): Promise<number> {
  const { values } = await metrics.toolDuration.get();
  return (
    values.find(
      (v) => v.metricName === 'unraid_mcp_tool_call_duration_seconds_count' && v.labels.tool === tool,
    )?.value ?? 0
  );
}

/** A promise with its resolve function outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The Refusal `p` rejects with; fails when it resolves or rejects with anything else. */
export async function refusalOf(p: Promise<unknown>): Promise<Refusal & { result?: CallToolResult }> {
  try {
    await p;
  } catch (err) {
    // Every refusal these tests provoke answers with a tool result (not input_required or a task).
    if (err instanceof Refusal) return err as Refusal & { result?: CallToolResult };
    throw err;
  }
  throw new Error('expected a Refusal, but the step went on');
}

/** What `p` rejects with; fails when it resolves. */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, but it resolved');
}
