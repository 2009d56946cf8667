import { isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors/config-error.js';
import type { PolicyRules } from './policy/compile-policy.js';
import { DEFAULT_TOOLSETS, TOOLSET_IDS, type ConfirmMode, type Toolset } from '../vocabulary.js';

export const SETTINGS_FILE = 'unraid-mcp.cfg';

/** Service settings, kept in unraid-mcp.cfg (`KEY="value"`, read by PHP and shell too). */
export interface ServiceSettings {
  /** TCP port of the MCP listener; a change applies when the service restarts. */
  port: number;
  /** Address the MCP listener binds to (0.0.0.0: every IPv4 address); applies at restart. */
  bind: string;
  /** Plain HTTP on `port`; applies at restart. HTTP and HTTPS may not both be off. */
  http: boolean;
  /** HTTPS on `httpsPort` with the WebGUI's own certificate (/boot/config/ssl/certs); applies at restart. */
  https: boolean;
  /** TCP port of the HTTPS listener; applies at restart. */
  httpsPort: number;
  readOnly: boolean;
  toolsets: ReadonlyArray<Toolset>;
  responseCapBytes: number;
  maxSessions: number;
  maxSessionsPerToken: number;
  sessionIdleMs: number;
  toolTimeoutMs: number;
  /** Extra Host/Origin names or addresses to accept, lower case (added to UNRAID_MCP_ALLOWED_HOSTS). */
  allowedHosts: ReadonlyArray<string>;
  /** How long a `token` confirmation stays valid. */
  confirmTokenTtlMs: number;
  /** How long an MCP call waits for the owner to approve before it reports "still pending". */
  approvalWaitMs: number;
  /** How long a pending approval stays approvable in the WebGUI. */
  approvalExpiryMs: number;
  /** Rotated audit files younger than this are never deleted while the log is on persistent storage. */
  auditRetentionMs: number;
  /** Free space the audit log leaves on its disk (checked at rotation); below it, calls are refused. */
  auditMinFreeBytes: number;
  /** Calls one token may make per second, sustained (a token bucket refilled at this rate). */
  tokenCallsPerSecond: number;
  /** Calls one token may make at once after a pause (the bucket's size). */
  tokenCallBurst: number;
  /** Tool calls running at once, all tokens together; more are answered "busy". */
  maxConcurrentCalls: number;
  /** system_reboot and system_shutdown are refused unless the owner switches this on (off by default). */
  powerTools: boolean;
}

/** Structured rules, kept in policy.json. */
export interface PolicySettings extends PolicyRules {
  /** Per-tool confirmation mode overrides; the effective mode is override ?? tool.confirm ?? 'none'. */
  confirmModes: Readonly<Record<string, ConfirmMode>>;
}

/** Everything the owner can set. */
export interface Settings extends ServiceSettings, PolicySettings {}

export type ServiceField = keyof ServiceSettings;
export type PolicyField = keyof PolicySettings;
export const POLICY_FIELDS: ReadonlyArray<PolicyField> = ['filters', 'protected', 'confirmModes'];

/** A numeric setting: stored in the cfg in owner units, held in memory in bytes or milliseconds. */
interface NumberSetting {
  field: ServiceField;
  key: string;
  /** Memory value = cfg value × scale. */
  scale: number;
  unit: string;
  min: number;
  max: number;
  def: number;
}

export const NUMBER_SETTINGS: ReadonlyArray<NumberSetting> = [
  { field: 'port', key: 'PORT', scale: 1, unit: 'port', min: 1, max: 65535, def: 8765 },
  { field: 'responseCapBytes', key: 'RESPONSE_CAP_KB', scale: 1024, unit: 'KiB', min: 4, max: 1024, def: 40 },
  { field: 'maxSessions', key: 'MAX_SESSIONS', scale: 1, unit: 'sessions', min: 1, max: 1000, def: 64 },
  {
    field: 'maxSessionsPerToken',
    key: 'MAX_SESSIONS_PER_TOKEN',
    scale: 1,
    unit: 'sessions',
    min: 1,
    max: 1000,
    def: 16,
  },
  {
    field: 'sessionIdleMs',
    key: 'SESSION_IDLE_MINUTES',
    scale: 60_000,
    unit: 'minutes',
    min: 1,
    max: 1440,
    def: 30,
  },
  {
    field: 'toolTimeoutMs',
    key: 'TOOL_TIMEOUT_SECONDS',
    scale: 1000,
    unit: 'seconds',
    min: 1,
    max: 3600,
    def: 30,
  },
  {
    field: 'confirmTokenTtlMs',
    key: 'CONFIRM_TOKEN_TTL_SECONDS',
    scale: 1000,
    unit: 'seconds',
    min: 10,
    max: 3600,
    def: 300,
  },
  {
    field: 'approvalWaitMs',
    key: 'APPROVAL_WAIT_SECONDS',
    scale: 1000,
    unit: 'seconds',
    min: 5,
    max: 1800,
    // Below the 60 s a client waits for an answer by default (the MCP SDKs' request timeout): a call
    // that outlives its client would be answered to nobody.
    def: 45,
  },
  {
    field: 'approvalExpiryMs',
    key: 'APPROVAL_EXPIRY_MINUTES',
    scale: 60_000,
    unit: 'minutes',
    min: 1,
    max: 10_080,
    def: 60,
  },
  // Audit retention on persistent storage: a flood of calls must not rotate history away. Files are
  // kept past the 10-file count until this old; when the disk runs short instead, calls are refused.
  {
    field: 'auditRetentionMs',
    key: 'AUDIT_RETENTION_DAYS',
    scale: 86_400_000,
    unit: 'days',
    min: 1,
    max: 3650,
    def: 30,
  },
  // The floor leaves room for the log's own notice and for the other users of appdata.
  {
    field: 'auditMinFreeBytes',
    key: 'AUDIT_MIN_FREE_MB',
    scale: 1024 * 1024,
    unit: 'MiB',
    min: 0,
    max: 16_777_216,
    def: 256,
  },
  // Per-token call rate. An agent calls one tool at a time and waits for the model in between, so it
  // makes a few calls a second at most; 20/s sustained with a burst of 60 never slows one down,
  // while a script flooding the sidecar (each call costs CPU and two audit records) is held to it.
  {
    field: 'tokenCallsPerSecond',
    key: 'TOKEN_CALLS_PER_SECOND',
    scale: 1,
    unit: 'calls per second',
    min: 1,
    max: 10_000,
    def: 20,
  },
  {
    field: 'tokenCallBurst',
    key: 'TOKEN_CALL_BURST',
    scale: 1,
    unit: 'calls',
    min: 1,
    max: 100_000,
    def: 60,
  },
  // Calls running at once, all tokens together: each one holds memory (arguments, results, sockets)
  // and event-loop time; 400 at once took the sidecar from 140 to 295 MB and /healthz to 2.5 s.
  {
    field: 'maxConcurrentCalls',
    key: 'MAX_CONCURRENT_CALLS',
    scale: 1,
    unit: 'calls',
    min: 1,
    max: 1000,
    def: 32,
  },
  // Next to PORT; 8443 is avoided, many containers on Unraid take it.
  { field: 'httpsPort', key: 'HTTPS_PORT', scale: 1, unit: 'port', min: 1, max: 65535, def: 8767 },
];

/** cfg key of every service field, in the order a new cfg file lists them. */
export const CFG_KEYS: Readonly<Record<ServiceField, string>> = {
  // Where clients connect comes first in a new file (PORT is a number setting too; listed here for order).
  port: 'PORT',
  bind: 'BIND',
  http: 'HTTP',
  https: 'HTTPS',
  httpsPort: 'HTTPS_PORT',
  readOnly: 'READ_ONLY',
  toolsets: 'TOOLSETS',
  ...(Object.fromEntries(NUMBER_SETTINGS.map((n) => [n.field, n.key])) as Record<string, string>),
  allowedHosts: 'ALLOWED_HOSTS',
  powerTools: 'POWER_TOOLS',
} as Record<ServiceField, string>;
export const SERVICE_FIELDS = Object.keys(CFG_KEYS) as ServiceField[];

/** The settings that take effect only when the service restarts (the listener's address). */
export const RESTART_FIELDS: ReadonlyArray<ServiceField> = ['port', 'bind', 'http', 'https', 'httpsPort'];

/** Null when `address` is one the listener can bind to: an IP address of this server, or 0.0.0.0 / :: for all. */
export function bindProblem(address: string): string | null {
  if (isIP(address)) return null;
  return `${JSON.stringify(address.slice(0, 100))} is not an IP address (0.0.0.0 listens on every IPv4 address, :: on every address, or give one of the server's own addresses)`;
}

/** Null when `host` is a host name or IP address the Host/Origin check can compare, else why not. */
export function hostProblem(host: string): string | null {
  if (isIP(host)) return null;
  const name = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*\.?$/i;
  if (name.test(host)) return null;
  return `${JSON.stringify(host.slice(0, 100))} is not a host name or IP address (write it without scheme, port or path, e.g. tower.lan or 192.168.1.10)`;
}

const yesNo = z.enum(['yes', 'no'], { error: 'must be "yes" or "no"' }).transform((v) => v === 'yes');
const cfgNumber = (n: NumberSetting) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(n.min, `must be at least ${n.min}`).max(n.max, `must be at most ${n.max}`))
    .default(n.def);
const commaList = z.string().transform((s) =>
  s
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean),
);

/**
 * unraid-mcp.cfg, key by key. Each key has a default, so a missing file or key means "default", while
 * a present but invalid value is an error (never quietly replaced by the default).
 */
const cfgSchema = z
  .object({
    BIND: z
      .string()
      .superRefine((a, ctx) => {
        const problem = bindProblem(a);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default('0.0.0.0'),
    READ_ONLY: yesNo.default(false),
    TOOLSETS: commaList
      .pipe(
        z.array(
          z.enum(TOOLSET_IDS, {
            error: (i) => `unknown toolset "${String(i.input)}" (known: ${TOOLSET_IDS.join(', ')})`,
          }),
        ),
      )
      .default([...DEFAULT_TOOLSETS]),
    ...Object.fromEntries(NUMBER_SETTINGS.map((n) => [n.key, cfgNumber(n)])),
    HTTP: yesNo.default(true),
    HTTPS: yesNo.default(true),
    POWER_TOOLS: yesNo.default(false),
    ALLOWED_HOSTS: commaList
      .pipe(
        z.array(
          z.string().superRefine((h, ctx) => {
            const problem = hostProblem(h);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          }),
        ),
      )
      .default([]),
  })
  .strict();

/** Toolsets in registry order without repeats, so ["vm","system"] and ["system","vm"] are one value. */
export function canonicalToolsets(list: ReadonlyArray<Toolset>): Toolset[] {
  return TOOLSET_IDS.filter((t) => list.includes(t));
}

/** Rules between fields; `name` maps a field to how the caller's source names it (cfg key or field). */
export function crossFieldProblems(
  s: ServiceSettings,
  file: string,
  name: (f: ServiceField) => string,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (s.approvalExpiryMs < s.approvalWaitMs) {
    problems.push({
      file,
      field: name('approvalExpiryMs'),
      message: `must be at least as long as ${name('approvalWaitMs')} (${s.approvalWaitMs / 1000} s): a pending approval must stay approvable while the call waits for it`,
    });
  }
  problems.push(...listenerProblems(s, file, name));
  return problems;
}

/** No way in at all, or two listeners on one port, is refused like any invalid value. */
function listenerProblems(
  s: ServiceSettings,
  file: string,
  name: (f: ServiceField) => string,
): ConfigProblem[] {
  if (!s.http && !s.https)
    return [
      {
        file,
        field: name('https'),
        message: `${name('http')} and ${name('https')} cannot both be off: no client could reach MCP (turn one of them on)`,
      },
    ];
  if (s.http && s.https && s.port === s.httpsPort)
    return [
      {
        file,
        field: name('httpsPort'),
        message: `must differ from ${name('port')} (${s.port}): HTTP and HTTPS each need their own port`,
      },
    ];
  return [];
}

/** Validates cfg key/values; throws ConfigError naming the file and every bad field. */
export function settingsFromCfg(values: Record<string, string>, file = SETTINGS_FILE): ServiceSettings {
  const parsed = cfgSchema.safeParse(values);
  if (!parsed.success) {
    const problems: ConfigProblem[] = [];
    for (const i of parsed.error.issues) {
      if (i.code === 'unrecognized_keys') {
        for (const k of i.keys)
          problems.push({
            file,
            field: k,
            message: `unknown setting (known: ${Object.keys(cfgSchema.shape).join(', ')})`,
          });
      } else {
        problems.push({ file, field: i.path.map(String).join('.'), message: i.message });
      }
    }
    throw new ConfigError(problems);
  }
  const v = parsed.data as Record<string, unknown>;
  const s = {
    bind: v.BIND as string,
    http: v.HTTP as boolean,
    https: v.HTTPS as boolean,
    readOnly: v.READ_ONLY as boolean,
    toolsets: canonicalToolsets(v.TOOLSETS as Toolset[]),
    ...Object.fromEntries(NUMBER_SETTINGS.map((n) => [n.field, (v[n.key] as number) * n.scale])),
    allowedHosts: (v.ALLOWED_HOSTS as string[]).map((h) => h.toLowerCase()),
    powerTools: v.POWER_TOOLS as boolean,
  } as unknown as ServiceSettings;
  const cross = crossFieldProblems(s, file, (f) => CFG_KEYS[f]);
  if (cross.length) throw new ConfigError(cross);
  return s;
}

/** The cfg text value of one service field (inverse of settingsFromCfg for that key). */
export function cfgValue(s: ServiceSettings, field: ServiceField): string {
  const num = NUMBER_SETTINGS.find((n) => n.field === field);
  if (num) return String((s[field] as number) / num.scale);
  if (field === 'readOnly') return s.readOnly ? 'yes' : 'no';
  if (field === 'powerTools') return s.powerTools ? 'yes' : 'no';
  if (field === 'http' || field === 'https') return s[field] ? 'yes' : 'no';
  if (field === 'bind') return s.bind;
  return (s[field] as ReadonlyArray<string>).join(',');
}

export const DEFAULT_POLICY_SETTINGS: PolicySettings = {
  filters: { containers: { allow: [], deny: [] }, vms: { allow: [], deny: [] } },
  protected: { containers: [], vms: [] },
  confirmModes: {},
};

export const DEFAULT_SETTINGS: Settings = { ...settingsFromCfg({}), ...DEFAULT_POLICY_SETTINGS };

/** The confirmation mode a tool runs with: the owner's override, else the tool's default, else none. */
export function effectiveConfirmMode(
  settings: Pick<Settings, 'confirmModes'>,
  tool: { name: string; confirm?: ConfirmMode },
): ConfirmMode {
  return (
    (Object.hasOwn(settings.confirmModes, tool.name) ? settings.confirmModes[tool.name] : undefined) ??
    tool.confirm ??
    'none'
  );
}
