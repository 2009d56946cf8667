import type Docker from 'dockerode';
import type { ContainerRequest } from './container-request.js';

export interface PlannedMount {
  host: string;
  /** Where it really leads: this is what Docker is given. */
  resolved: string;
  container: string;
  readOnly: boolean;
}

/**
 * The values of a request the create policy checked and completed (resolved host paths, normalised
 * capabilities, default limits): what the container is created with.
 */
export interface ContainerPlan {
  binds: PlannedMount[];
  devices: Array<{ host: string; resolved: string; container: string; permissions: string }>;
  env: string[];
  memoryBytes: number;
  pidsLimit: number;
  capAdd: string[];
  capDrop: string[];
  securityOpt: string[];
}

const portKey = (p: { container_port: number; protocol: string }) => `${p.container_port}/${p.protocol}`;

/**
 * The Docker API body for a request the create policy accepted. Only values the policy checked go
 * in: host paths are the resolved ones, capabilities and security options are the normalised ones,
 * and the defaults (limits, init, no-new-privileges) are applied here.
 */
export function buildCreateOptions(
  req: ContainerRequest,
  plan: ContainerPlan,
  extraLabels: Record<string, string> = {},
): Docker.ContainerCreateOptions {
  const binds = [
    ...plan.binds.map((b) => `${b.resolved}:${b.container}${b.readOnly ? ':ro' : ''}`),
    ...(req.volumes ?? []).map((v) => `${v.name}:${v.container}${v.read_only ? ':ro' : ''}`),
  ];
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of req.ports ?? []) {
    exposed[portKey(p)] = {};
    if (p.host_port !== undefined)
      (bindings[portKey(p)] ??= []).push({ HostIp: p.host_ip ?? '', HostPort: String(p.host_port) });
  }
  const gpus = req.gpus;
  const hostConfig: Docker.HostConfig = {
    Binds: binds,
    PortBindings: bindings,
    Memory: plan.memoryBytes,
    PidsLimit: plan.pidsLimit,
    Init: req.init,
    SecurityOpt: plan.securityOpt,
    Privileged: false,
    ...(req.network ? { NetworkMode: req.network } : {}),
    ...(req.restart
      ? { RestartPolicy: { Name: req.restart, MaximumRetryCount: req.restart_max_retries ?? 0 } }
      : {}),
    ...(req.cpus !== undefined ? { NanoCpus: Math.round(req.cpus * 1e9) } : {}),
    ...(plan.devices.length
      ? {
          Devices: plan.devices.map((d) => ({
            PathOnHost: d.resolved,
            PathInContainer: d.container,
            CgroupPermissions: d.permissions,
          })),
        }
      : {}),
    ...(gpus !== undefined
      ? {
          DeviceRequests: [
            {
              Driver: gpus === 'all' ? '' : (gpus.driver ?? ''),
              Count:
                gpus === 'all' || (gpus.count === undefined && !gpus.device_ids) ? -1 : (gpus.count ?? 0),
              DeviceIDs: gpus === 'all' ? [] : (gpus.device_ids ?? []),
              Capabilities: [['gpu']],
              Options: {},
            },
          ],
        }
      : {}),
    ...(plan.capAdd.length ? { CapAdd: plan.capAdd } : {}),
    ...(plan.capDrop.length ? { CapDrop: plan.capDrop } : {}),
    ...(req.sysctls
      ? {
          Sysctls: Object.fromEntries(
            Object.entries(req.sysctls).map(([k, v]) => [k.replace(/\//g, '.'), v]),
          ),
        }
      : {}),
    ...(req.ipc_mode && req.ipc_mode !== 'host' ? { IpcMode: req.ipc_mode } : {}),
    ...(req.volumes_from?.length ? { VolumesFrom: req.volumes_from } : {}),
  };
  return {
    name: req.name,
    Image: req.image,
    ...(req.command ? { Cmd: req.command } : {}),
    ...(req.entrypoint ? { Entrypoint: req.entrypoint } : {}),
    Env: plan.env,
    Labels: { ...(req.labels ?? {}), ...extraLabels },
    ExposedPorts: exposed,
    ...(req.user ? { User: req.user } : {}),
    ...(req.working_dir ? { WorkingDir: req.working_dir } : {}),
    HostConfig: hostConfig,
    ...(req.ip_address && req.network
      ? {
          NetworkingConfig: {
            EndpointsConfig: {
              [req.network]: {
                IPAMConfig: req.ip_address.includes(':')
                  ? { IPv6Address: req.ip_address }
                  : { IPv4Address: req.ip_address },
              },
            },
          },
        }
      : {}),
  };
}
