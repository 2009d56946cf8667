import { isIP } from 'node:net';
import { posix } from 'node:path';
import { capAddProblem, capDropProblem, normaliseCap } from './capabilities.js';
import { checkHostPath, pathToResolve, type RealPaths } from './check-host-path.js';
import type { ContainerPlan } from '../../backends/docker/container-spec.js';
import { formatBytes, parseByteSize } from '../../util/byte-size.js';
import { parseImageReference, type ImageReference } from '../../backends/docker/image-reference.js';
import { checkSecurityOpt } from './security-options.js';
import { splitAllowlistEntry } from '../../config/bind-allowlist.js';
import type { ContainerRequest } from '../../backends/docker/container-request.js';
import {
  checkVolumeMounts,
  volumeHostPaths,
  type MountFacts,
  type PlannedInheritedMount,
} from './volume-mounts.js';

/** Memory limit when the request gives none: enough for most home-server apps, not the whole host. */
export const DEFAULT_MEMORY_BYTES = 1024 ** 3;
/** Process limit when the request gives none: stops a fork bomb, far above what an app needs. */
export const DEFAULT_PIDS_LIMIT = 512;
/** Docker's own floor for a memory limit. */
const MIN_MEMORY_BYTES = 6 * 1024 ** 2;

export interface CreatePolicyOptions extends MountFacts {
  /** Host folders binds may use (see DEFAULT_BIND_ALLOWLIST). */
  allowlist: ReadonlyArray<string>;
  /** Symlink-resolved host paths (resolveHostPaths over pathsToResolve); missing ones are checked as written. */
  realpaths?: RealPaths;
  /** False for a container name the owner's filters hide from MCP. */
  visible?: (name: string) => boolean;
}

/** The policy's reading of a request: what is refused, what needs a human's attention, and the values to create with. */
export interface CreatePlan extends ContainerPlan {
  /** Dangerous options: the call is refused, whatever the confirmation mode. */
  refusals: string[];
  /** Malformed options: the call is invalid. */
  invalid: string[];
  /** Options a human should look at before approving (devices, GPUs, host ports, sysctls, volumes_from). */
  attention: string[];
  image: ImageReference | null;
  /** Defaults the policy added, in plain words. */
  defaults: string[];
  /** The mounts `volumes_from` passes on, each checked like a bind. */
  inherited: PlannedInheritedMount[];
  /** `volumes_from` as Docker must get it: the checked containers by full ID, with ":ro"/":rw". */
  volumesFrom: string[];
}

/**
 * Every host path the policy will want resolved for `req`: binds, devices, the host folders behind
 * named volumes and `volumes_from` mounts (from `facts`), allowlist prefixes.
 */
export function pathsToResolve(
  req: ContainerRequest,
  allowlist: ReadonlyArray<string>,
  facts: MountFacts = {},
): string[] {
  const raw = [...(req.binds ?? []).map((b) => b.host), ...(req.devices ?? []).map((d) => d.host)];
  const out = raw.map(pathToResolve).filter((p): p is string => p !== null);
  out.push(...volumeHostPaths(req, facts));
  for (const entry of allowlist) out.push(splitAllowlistEntry(entry).prefix);
  return out;
}

const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const MODE_WHY: Readonly<Record<string, string>> = {
  pid_mode: 'the container would see and signal every process on the server',
  ipc_mode: "the container would share the server's shared memory and IPC objects",
  uts_mode: "the container could change the server's host name",
  userns_mode: "it turns off the daemon's user-namespace remapping for the container",
  cgroupns_mode: "the container would see and manage the server's cgroups",
};
const RAW_MEMORY_DEVICES = new Set(['/dev/mem', '/dev/kmem', '/dev/port']);

/**
 * The create policy (SECURITY.md, "Dangerous container creation"). Pure: the file system and Docker
 * are read beforehand (realpaths, volumeSources, volumesFrom) so the same request and inputs always
 * give the same verdict.
 * Runs before anything is sent to Docker; every message names the argument and says why.
 */
export function checkCreatePolicy(req: ContainerRequest, opts: CreatePolicyOptions): CreatePlan {
  const refusals: string[] = [];
  const invalid: string[] = [];
  const attention: string[] = [];
  const realpaths: RealPaths = opts.realpaths ?? new Map();
  const plan: CreatePlan = {
    refusals,
    invalid,
    attention,
    image: null,
    binds: [],
    devices: [],
    env: [],
    memoryBytes: 0,
    pidsLimit: 0,
    capAdd: [],
    capDrop: [],
    securityOpt: [],
    defaults: [],
    inherited: [],
    volumesFrom: [],
  };

  const image = parseImageReference(req.image);
  if (image.ok) plan.image = image.ref;
  else invalid.push(`image: ${image.error}`);
  if (opts.visible && !opts.visible(req.name))
    refusals.push(
      `name: containers named "${req.name}" are hidden from MCP by the owner's filters, so unraid-mcp may not create one`,
    );

  if (req.privileged)
    refusals.push(
      'privileged: true is refused — a privileged container has every capability and every host device, so it controls the whole server',
    );

  const containerPath = (label: string, p: string) => {
    if (!p.startsWith('/'))
      invalid.push(`${label}: "${p.slice(0, 200)}" must be an absolute path inside the container`);
    else if (p.includes(':'))
      invalid.push(`${label}: "${p.slice(0, 200)}" contains ":", which Docker's mount syntax cannot hold`);
    else if (posix.resolve(p) === '/')
      invalid.push(`${label}: a mount cannot replace the container's root folder "/"`);
  };

  (req.binds ?? []).forEach((b, i) => {
    containerPath(`binds[${i}].container`, b.container);
    if (b.host.includes(':'))
      return invalid.push(
        `binds[${i}].host: "${b.host.slice(0, 200)}" contains ":", which Docker's bind syntax cannot hold`,
      );
    const c = checkHostPath(`binds[${i}].host`, b.host, { allowlist: opts.allowlist, realpaths });
    if (!c.ok) return (c.kind === 'refused' ? refusals : invalid).push(c.message);
    plan.binds.push({ host: b.host, resolved: c.resolved, container: b.container, readOnly: b.read_only });
  });

  (req.volumes ?? []).forEach((v, i) => containerPath(`volumes[${i}].container`, v.container));
  // Named volumes and volumes_from: the host paths they bring in are held to the binds' rule.
  const mounts = checkVolumeMounts(req, opts, {
    allowlist: opts.allowlist,
    realpaths,
    visible: opts.visible,
  });
  refusals.push(...mounts.refusals);
  attention.push(...mounts.attention);
  plan.inherited = mounts.inherited;
  plan.volumesFrom = mounts.volumesFrom;

  (req.devices ?? []).forEach((d, i) => {
    const label = `devices[${i}].host`;
    if (d.container !== undefined) containerPath(`devices[${i}].container`, d.container);
    const problem = pathToResolve(d.host) === null;
    const normalised = problem ? null : posix.resolve(d.host);
    const real = normalised ? realpaths.get(normalised) : undefined;
    const resolved = real?.ok ? real.path : normalised;
    if (!normalised || !resolved)
      return refusals.push(
        `${label}: "${d.host.slice(0, 200)}" is not a plain device path (no "..", encoding or backslashes)`,
      );
    if (![normalised, resolved].every((p) => p.startsWith('/dev/') && p.length > 5))
      return refusals.push(
        `${label}: "${d.host}" is not a device under /dev${resolved !== normalised ? ` (it resolves to "${resolved}")` : ''}`,
      );
    if (RAW_MEMORY_DEVICES.has(normalised) || RAW_MEMORY_DEVICES.has(resolved))
      return refusals.push(
        `${label}: "${d.host}" is refused — it gives raw access to the server's memory or I/O ports`,
      );
    const container = d.container ?? d.host;
    plan.devices.push({ host: d.host, resolved, container, permissions: d.permissions });
    const disk = /^\/dev\/(sd[a-z]+|nvme\d|md\d|hd[a-z]|vd[a-z]|dm-|mapper\/|disk\/)/.test(resolved)
      ? ' — a disk: the container could read and overwrite everything on it'
      : '';
    attention.push(
      `device ${d.host}${resolved !== d.host ? ` (${resolved})` : ''} → ${container} (${d.permissions})${disk}`,
    );
  });

  if (req.gpus !== undefined) {
    const g = req.gpus;
    attention.push(
      g === 'all'
        ? 'all GPUs'
        : `GPUs: ${g.device_ids?.length ? `ids ${g.device_ids.join(', ')}` : `${g.count ?? 'all'}`}${g.driver ? ` (driver ${g.driver})` : ''}`,
    );
  }

  (req.ports ?? []).forEach((p, i) => {
    if (p.host_ip !== undefined && !isIP(p.host_ip))
      invalid.push(`ports[${i}].host_ip: "${p.host_ip}" is not an IP address`);
    if (p.host_ip !== undefined && p.host_port === undefined)
      invalid.push(`ports[${i}].host_ip needs ports[${i}].host_port`);
    if (p.host_port !== undefined)
      attention.push(
        `host port ${p.host_ip ?? '0.0.0.0'}:${p.host_port}/${p.protocol} → container port ${p.container_port}`,
      );
  });

  if (req.network !== undefined) {
    const n = req.network;
    if (n.toLowerCase() === 'host')
      refusals.push(
        'network: "host" is refused — the container would share the server\'s network stack (every interface and port, the WebGUI\'s included)',
      );
    else if (n.toLowerCase().startsWith('container:'))
      refusals.push(
        `network: "${n}" is refused — joining another container's network namespace bypasses that container's filters; use a user-defined network`,
      );
    else if (!NETWORK_NAME.test(n)) invalid.push(`network: "${n}" is not a network name`);
  }
  if (req.ip_address !== undefined) {
    if (!isIP(req.ip_address)) invalid.push(`ip_address: "${req.ip_address}" is not an IP address`);
    if (!req.network || ['bridge', 'none', 'default', 'host'].includes(req.network))
      invalid.push('ip_address needs a user-defined network (such as br0) in "network"');
  }

  for (const key of ['pid_mode', 'ipc_mode', 'uts_mode', 'userns_mode', 'cgroupns_mode'] as const) {
    if (req[key] === 'host') refusals.push(`${key}: "host" is refused — ${MODE_WHY[key]}`);
  }

  (req.cap_add ?? []).forEach((cap, i) => {
    const problem = capAddProblem(cap);
    if (!problem) plan.capAdd.push(normaliseCap(cap));
    else (problem.startsWith('is not') ? invalid : refusals).push(`cap_add[${i}]: "${cap}" ${problem}`);
  });
  (req.cap_drop ?? []).forEach((cap, i) => {
    const problem = capDropProblem(cap);
    if (problem) invalid.push(`cap_drop[${i}]: "${cap}" ${problem}`);
    else plan.capDrop.push(normaliseCap(cap));
  });

  let noNewPrivileges = true;
  (req.security_opt ?? []).forEach((opt, i) => {
    const v = checkSecurityOpt(opt);
    if (v.kind === 'refuse') return refusals.push(`security_opt[${i}]: "${opt.slice(0, 200)}" ${v.why}`);
    if (v.option.startsWith('no-new-privileges')) {
      noNewPrivileges = v.kind === 'ok';
      if (v.kind === 'confirm') attention.push(v.note);
      return;
    }
    plan.securityOpt.push(v.option);
  });
  if (noNewPrivileges) {
    plan.securityOpt.unshift('no-new-privileges:true');
    plan.defaults.push('no-new-privileges');
  }
  if (req.init) plan.defaults.push('an init process as PID 1');

  for (const [key, value] of Object.entries(req.sysctls ?? {})) {
    const k = key.replace(/\//g, '.');
    if (!k.startsWith('net.'))
      attention.push(`sysctl ${k}=${value} (not a network setting: it may affect the server)`);
  }

  if (Array.isArray(req.env)) {
    req.env.forEach((entry, i) => {
      const eq = entry.indexOf('=');
      if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(entry.slice(0, eq)))
        invalid.push(`env[${i}]: expected "KEY=value" with a variable name as KEY`);
      else plan.env.push(entry);
    });
  } else if (req.env) {
    plan.env = Object.entries(req.env).map(([k, v]) => `${k}=${v}`);
  }

  if (req.memory !== undefined) {
    const bytes = parseByteSize(req.memory);
    if (bytes === null)
      invalid.push(
        `memory: "${String(req.memory)}" is not a size (use bytes, or a number with k, m or g such as "512m")`,
      );
    else if (bytes < MIN_MEMORY_BYTES)
      invalid.push(`memory: ${formatBytes(bytes)} is below Docker's minimum of 6 MiB`);
    else plan.memoryBytes = bytes;
  } else {
    plan.memoryBytes = DEFAULT_MEMORY_BYTES;
    plan.defaults.push(`memory limit ${formatBytes(DEFAULT_MEMORY_BYTES)}`);
  }
  if (req.pids_limit !== undefined) plan.pidsLimit = req.pids_limit;
  else {
    plan.pidsLimit = DEFAULT_PIDS_LIMIT;
    plan.defaults.push(`process limit ${DEFAULT_PIDS_LIMIT}`);
  }
  if (req.restart_max_retries !== undefined && req.restart !== 'on-failure')
    invalid.push('restart_max_retries only applies with restart "on-failure"');
  if (req.working_dir !== undefined && !req.working_dir.startsWith('/'))
    invalid.push('working_dir: must be an absolute path inside the container');
  return plan;
}
