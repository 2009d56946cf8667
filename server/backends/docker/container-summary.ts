import type Docker from 'dockerode';

/** Docker's 12-character short form of an ID (without any "sha256:" prefix). */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Container name without the leading "/" the Engine API puts in front. */
export function containerName(names: ReadonlyArray<string> | undefined, id: string): string {
  return (names?.[0] ?? id).replace(/^\//, '');
}

/** ISO time from a Docker time string; null for Docker's zero time ("0001-01-01T00:00:00Z") and junk. */
export function isoOrNull(value: string | undefined | null): string | null {
  if (!value || value.startsWith('0001-01-01')) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** ISO time from Unix seconds. */
export function isoFromUnix(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

export interface PortMapping {
  hostIp: string | null;
  hostPort: number | null;
  containerPort: number;
  protocol: string;
}

/** Ports as listContainers reports them (published ones with host IP/port; exposed ones without). */
export function portsFromList(ports: Docker.Port[] | undefined): PortMapping[] {
  const out: PortMapping[] = [];
  const seen = new Set<string>();
  for (const p of ports ?? []) {
    const m: PortMapping = {
      hostIp: p.IP || null,
      hostPort: p.PublicPort || null,
      containerPort: p.PrivatePort,
      protocol: p.Type,
    };
    const key = `${m.hostIp}|${m.hostPort}|${m.containerPort}|${m.protocol}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(m);
    }
  }
  return out.sort((a, b) => a.containerPort - b.containerPort || (a.hostPort ?? 0) - (b.hostPort ?? 0));
}

export type PortMap = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null | undefined>;

/**
 * Ports from an inspect: the live bindings when the container runs (NetworkSettings.Ports), else
 * what it is configured to publish (HostConfig.PortBindings) plus exposed ports.
 */
export function portsFromInspect(
  live: PortMap | null | undefined,
  configured: PortMap | null | undefined,
  exposed: Record<string, unknown> | null | undefined,
): PortMapping[] {
  const source: PortMap =
    live && Object.keys(live).length
      ? live
      : { ...Object.fromEntries(Object.keys(exposed ?? {}).map((k) => [k, null])), ...(configured ?? {}) };
  const out: PortMapping[] = [];
  for (const [key, bindings] of Object.entries(source)) {
    const [port, protocol = 'tcp'] = key.split('/');
    const containerPort = Number(port);
    if (!Number.isInteger(containerPort)) continue;
    if (!bindings || bindings.length === 0)
      out.push({ hostIp: null, hostPort: null, containerPort, protocol });
    for (const b of bindings ?? []) {
      out.push({
        hostIp: b.HostIp || null,
        hostPort: b.HostPort ? Number(b.HostPort) || null : null,
        containerPort,
        protocol,
      });
    }
  }
  return out.sort((a, b) => a.containerPort - b.containerPort || (a.hostPort ?? 0) - (b.hostPort ?? 0));
}

/**
 * Labels Unraid's Docker manager (dockerMan) sets on containers it creates from a template —
 * emhttp/plugins/dynamix.docker.manager/include/Helpers.php xmlToCommand(): `managed` is always
 * "dockerman", `webui` and `icon` come from the template; DockerClient.php also reads `shell`.
 */
export const UNRAID_LABELS = {
  managed: 'net.unraid.docker.managed',
  icon: 'net.unraid.docker.icon',
  webui: 'net.unraid.docker.webui',
  shell: 'net.unraid.docker.shell',
} as const;

export interface UnraidLabels {
  managed: string | null;
  icon: string | null;
  webui: string | null;
  shell: string | null;
}

/** The Unraid labels present on a container, or null when it has none (not created by dockerMan). */
export function unraidLabels(labels: Record<string, string> | null | undefined): UnraidLabels | null {
  if (!labels) return null;
  const out: UnraidLabels = {
    managed: labels[UNRAID_LABELS.managed] ?? null,
    icon: labels[UNRAID_LABELS.icon] ?? null,
    webui: labels[UNRAID_LABELS.webui] ?? null,
    shell: labels[UNRAID_LABELS.shell] ?? null,
  };
  return Object.values(out).some((v) => v !== null) ? out : null;
}

/** Seconds since `startedAt` for a running container; null otherwise. */
export function uptimeSeconds(running: boolean, startedAt: string | undefined, nowMs: number): number | null {
  const started = running ? isoOrNull(startedAt) : null;
  return started ? Math.max(0, Math.floor((nowMs - Date.parse(started)) / 1000)) : null;
}
