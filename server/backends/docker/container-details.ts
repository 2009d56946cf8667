import type Docker from 'dockerode';
import { isSecretKey, redact, redactString, REDACTED } from '../../util/redact.js';
import {
  isoOrNull,
  portsFromInspect,
  shortId,
  unraidLabels,
  uptimeSeconds,
  type PortMap,
  type PortMapping,
  type UnraidLabels,
} from './container-summary.js';

/** Longest env/label value or other string returned from an inspect; longer ones are cut with a marker. */
const MAX_VALUE = 1000;
const MAX_LIST = 100;
const HEALTH_LOG_KEEP = 3;

const cut = (s: string, max = MAX_VALUE) =>
  s.length > max ? `${s.slice(0, max)}… [cut ${s.length - max} characters]` : s;

/**
 * A container's env as name/value pairs. The value of a variable whose name says it is a secret
 * (DB_PASSWORD, API_KEY, …) is replaced outright; other values still pass through the secret
 * patterns (tokens, `user:pass@` URLs). The wrapper redacts results again, but an env is the one
 * place secrets are certain to be, so it is never left to a later layer.
 */
export function redactEnv(
  env: ReadonlyArray<string> | null | undefined,
): Array<{ name: string; value: string }> {
  return (env ?? []).map((entry) => {
    const eq = entry.indexOf('=');
    const name = eq === -1 ? entry : entry.slice(0, eq);
    const value = eq === -1 ? '' : entry.slice(eq + 1);
    return { name, value: isSecretKey(name) ? REDACTED : cut(redactString(value)) };
  });
}

/** Labels with secret-named values replaced and other values checked for secret patterns. */
export function redactLabels(labels: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {}))
    out[k] = isSecretKey(k) ? REDACTED : cut(redactString(v));
  return out;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  imageId: string;
  created: string | null;
  command: string[];
  state: {
    status: string;
    running: boolean;
    paused: boolean;
    restarting: boolean;
    oomKilled: boolean;
    exitCode: number;
    error: string | null;
    startedAt: string | null;
    finishedAt: string | null;
    uptimeSeconds: number | null;
    health: {
      status: string;
      failingStreak: number;
      lastCheck: { exitCode: number; output: string; at: string | null } | null;
    } | null;
  };
  restartPolicy: { name: string; maximumRetryCount: number };
  restartCount: number;
  ports: PortMapping[];
  networkMode: string;
  networks: Array<{
    name: string;
    ipAddress: string | null;
    prefixLength: number | null;
    gateway: string | null;
    ipv6Address: string | null;
    macAddress: string | null;
    aliases: string[];
  }>;
  mounts: Array<{ type: string; source: string; destination: string; rw: boolean; name: string | null }>;
  env: Array<{ name: string; value: string }>;
  labels: Record<string, string>;
  resources: {
    memoryBytes: number | null;
    memoryReservationBytes: number | null;
    memorySwapBytes: number | null;
    cpus: number | null;
    cpuShares: number | null;
    cpusetCpus: string | null;
    pidsLimit: number | null;
  };
  privileged: boolean;
  tty: boolean;
  logDriver: string | null;
  unraid: UnraidLabels | null;
}

interface HealthState {
  Status?: string;
  FailingStreak?: number;
  Log?: Array<{ ExitCode?: number; Output?: string; End?: string; Start?: string }> | null;
}

const positive = (n: number | null | undefined) => (n && n > 0 ? n : null);

/** The compact view of an inspect: what a person checks first, with secrets redacted. */
export function summarizeContainer(
  info: Docker.ContainerInspectInfo,
  name: string,
  nowMs: number,
): ContainerSummary {
  const st = info.State;
  const hc = info.HostConfig ?? {};
  const health = (st as { Health?: HealthState }).Health;
  const last = health?.Log?.at(-1);
  const networks = Object.entries(info.NetworkSettings?.Networks ?? {}).map(([net, n]) => ({
    name: net,
    ipAddress: n.IPAddress || null,
    prefixLength: n.IPAddress ? n.IPPrefixLen : null,
    gateway: n.Gateway || null,
    ipv6Address: n.GlobalIPv6Address || null,
    macAddress: n.MacAddress || null,
    aliases: ((n.Aliases as string[] | null | undefined) ?? []).slice(0, 20),
  }));
  return {
    id: info.Id,
    name,
    image: info.Config?.Image ?? '',
    imageId: shortId(info.Image),
    created: isoOrNull(info.Created),
    // Redacted as one argument list: `--password`, `x` hides the item after the flag.
    command: redact([info.Path, ...(info.Args ?? [])].filter((s) => s !== '')).map((s) => cut(s, 300)),
    state: {
      status: st.Status,
      running: st.Running,
      paused: st.Paused,
      restarting: st.Restarting,
      oomKilled: st.OOMKilled,
      exitCode: st.ExitCode,
      error: st.Error || null,
      startedAt: isoOrNull(st.StartedAt),
      finishedAt: isoOrNull(st.FinishedAt),
      uptimeSeconds: uptimeSeconds(st.Running, st.StartedAt, nowMs),
      health: health?.Status
        ? {
            status: health.Status,
            failingStreak: health.FailingStreak ?? 0,
            lastCheck: last
              ? {
                  exitCode: last.ExitCode ?? -1,
                  output: cut(redactString((last.Output ?? '').trim()), 500),
                  at: isoOrNull(last.End),
                }
              : null,
          }
        : null,
    },
    restartPolicy: {
      name: hc.RestartPolicy?.Name || 'no',
      maximumRetryCount: hc.RestartPolicy?.MaximumRetryCount ?? 0,
    },
    restartCount: info.RestartCount ?? 0,
    ports: portsFromInspect(
      info.NetworkSettings?.Ports,
      hc.PortBindings as PortMap | undefined,
      info.Config?.ExposedPorts,
    ),
    networkMode: hc.NetworkMode ?? '',
    networks,
    mounts: (info.Mounts ?? []).map((m) => ({
      type: m.Type ?? 'bind',
      source: m.Source,
      destination: m.Destination,
      rw: m.RW,
      name: m.Name ?? null,
    })),
    env: redactEnv(info.Config?.Env),
    labels: redactLabels(info.Config?.Labels),
    resources: {
      memoryBytes: positive(hc.Memory),
      memoryReservationBytes: positive(hc.MemoryReservation),
      memorySwapBytes: positive(hc.MemorySwap),
      cpus: hc.NanoCpus ? hc.NanoCpus / 1e9 : null,
      cpuShares: positive(hc.CpuShares),
      cpusetCpus: hc.CpusetCpus || null,
      pidsLimit: positive(hc.PidsLimit),
    },
    privileged: hc.Privileged ?? false,
    tty: info.Config?.Tty ?? false,
    logDriver: hc.LogConfig?.Type ?? null,
    unraid: unraidLabels(info.Config?.Labels),
  };
}

/** Strings cut at MAX_VALUE and lists at MAX_LIST items, at any depth: a bounded copy. */
function bound(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cut(value);
  if (depth > 8) return null;
  if (Array.isArray(value)) return value.slice(0, MAX_LIST).map((v) => bound(v, depth + 1));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bound(v, depth + 1)]));
  return value;
}

export interface ContainerDetail {
  Path: string;
  Args: string[];
  RestartCount: number;
  Platform: string;
  Driver: string;
  State: Record<string, unknown>;
  Config: Record<string, unknown>;
  HostConfig: Record<string, unknown>;
  NetworkSettings: { Ports: Record<string, unknown>; Networks: Record<string, unknown> };
  Mounts: Array<Record<string, unknown>>;
}

/**
 * The fuller inspect, in Docker's own field names, bounded and redacted: Config.Env and labels as
 * in the summary, health-check history cut to the last checks, and the daemon's host-side paths
 * (log, hosts and resolv.conf files, sandbox, storage driver data) left out.
 */
export function containerDetail(info: Docker.ContainerInspectInfo): ContainerDetail {
  const state = { ...(info.State as unknown as Record<string, unknown>) };
  const health = state.Health as HealthState | undefined;
  if (health?.Log) state.Health = { ...health, Log: health.Log.slice(-HEALTH_LOG_KEEP) };
  const config: Record<string, unknown> = { ...(info.Config as unknown as Record<string, unknown>) };
  config.Env = redactEnv(info.Config?.Env).map(({ name, value }) => `${name}=${value}`);
  config.Labels = redactLabels(info.Config?.Labels);
  // Redacted before it is bounded, so a cut never leaves the head of a token too short to recognise.
  // Cmd, Entrypoint, Args and Healthcheck.Test are argument lists; log driver options (splunk-token,
  // a loki-url with a password) are names and values like any other.
  return bound(
    redact({
      Path: info.Path,
      Args: info.Args ?? [],
      RestartCount: info.RestartCount ?? 0,
      Platform: info.Platform ?? '',
      Driver: info.Driver ?? '',
      State: state,
      Config: config,
      HostConfig: info.HostConfig ?? {},
      NetworkSettings: {
        Ports: info.NetworkSettings?.Ports ?? {},
        Networks: info.NetworkSettings?.Networks ?? {},
      },
      Mounts: info.Mounts ?? [],
    }),
  ) as ContainerDetail;
}
