import { checkHostPath, pathToResolve, type RealPaths } from './check-host-path.js';
import type { ContainerRequest } from '../../backends/docker/container-request.js';
import type { VolumeHostSource } from '../../backends/docker/volume-host-source.js';
import type { VolumesFromSource } from '../../backends/docker/inherited-mounts.js';

/**
 * What the tool read from Docker before the policy runs, so every mount the container would end up
 * with is judged — not only the request's own binds.
 */
export interface MountFacts {
  /** Existing named volumes of `volumes` that bring something from the host, by name (readVolumeHostSources). */
  volumeSources?: ReadonlyMap<string, VolumeHostSource>;
  /** The containers `volumes_from` names, by reference as written (readVolumesFromSources); null: none such. */
  volumesFrom?: ReadonlyMap<string, VolumesFromSource | null>;
}

/** A mount the new container gets through `volumes_from`, as the approver is shown it. */
export interface PlannedInheritedMount {
  /** The source container's name. */
  from: string;
  type: string;
  container: string;
  /** Read-only in the new container: in the source, or because of ":ro" on the volumes_from entry. */
  readOnly: boolean;
  /** A bind's host path and where it resolves to. */
  host?: { path: string; resolved: string };
  /** A volume's name, and the host path behind it when it is a bind. */
  volume?: { name: string; host: { path: string; resolved: string } | null };
}

export interface VolumeVerdict {
  refusals: string[];
  attention: string[];
  inherited: PlannedInheritedMount[];
  /** `volumes_from` for Docker, by full ID (with the entry's ":ro"/":rw"): exactly the containers checked. */
  volumesFrom: string[];
}

/** Mount types that bring nothing of the host's file system into the container. */
const NO_HOST_PATH = new Set(['tmpfs', 'image']);

/** Host paths the volumes and inherited mounts of `req` lead to, for resolveHostPaths. */
export function volumeHostPaths(req: ContainerRequest, facts: MountFacts): string[] {
  const raw: string[] = [];
  const add = (s: VolumeHostSource | null | undefined) => {
    if (s?.kind === 'path') raw.push(s.path);
  };
  for (const v of req.volumes ?? []) add(facts.volumeSources?.get(v.name));
  for (const src of facts.volumesFrom?.values() ?? [])
    for (const m of src?.mounts ?? []) {
      if (m.host !== undefined) raw.push(m.host);
      add(m.volume?.source);
    }
  return raw.map(pathToResolve).filter((p): p is string => p !== null);
}

/**
 * The named volumes and `volumes_from` of a request, held to the rule binds are held to: every host
 * path they bring in passes checkHostPath (sensitive folders, symlinks, the allowlist), whatever its
 * read-only flag — a read-only Docker socket is still the Docker socket. A `volumes_from` container
 * that does not exist and one the owner's filters hide get the same answer, so the refusal does not
 * tell which names exist.
 */
export function checkVolumeMounts(
  req: ContainerRequest,
  facts: MountFacts,
  opts: { allowlist: ReadonlyArray<string>; realpaths: RealPaths; visible?: (name: string) => boolean },
): VolumeVerdict {
  const out: VolumeVerdict = { refusals: [], attention: [], inherited: [], volumesFrom: [] };
  const hostPath = (label: string, raw: string) => {
    const c = checkHostPath(label, raw, opts);
    if (!c.ok) {
      out.refusals.push(c.message);
      return null;
    }
    return { path: raw, resolved: c.resolved };
  };
  /** Checks what a volume brings from the host: refused (null), or its host path when it is a bind. */
  const volumeSource = (
    label: string,
    source: VolumeHostSource | null | undefined,
  ): { host: { path: string; resolved: string } | null } | null => {
    if (!source) return { host: null };
    if (source.kind === 'path') {
      const host = hostPath(`${label}, a bind of a host folder)`, source.path);
      return host ? { host } : null;
    }
    out.refusals.push(
      `${label}) mounts ${source.what}, which unraid-mcp cannot check — only volumes Docker keeps itself and binds of allowed host folders may be used`,
    );
    return null;
  };

  (req.volumes ?? []).forEach((v, i) => {
    volumeSource(`volumes[${i}] (volume "${v.name}"`, facts.volumeSources?.get(v.name));
  });

  (req.volumes_from ?? []).forEach((entry, i) => {
    const [ref, mode] = entry.split(':') as [string, string | undefined];
    const src = facts.volumesFrom?.get(ref);
    if (src === undefined)
      // The tool reads every source before calling the policy; without the facts nothing is allowed.
      return out.refusals.push(
        `volumes_from[${i}]: the mounts of container "${ref}" were not read, so they cannot be checked`,
      );
    if (src === null || (opts.visible && !opts.visible(src.name)))
      return out.refusals.push(
        `volumes_from[${i}]: there is no container named or with ID "${ref}" — use docker_list to see the containers`,
      );
    out.volumesFrom.push(mode ? `${src.id}:${mode}` : src.id);
    const shown: string[] = [];
    for (const m of src.mounts) {
      const readOnly = mode === 'ro' || m.readOnly;
      const at = `inherited from container "${src.name}" at ${m.container}`;
      const planned: PlannedInheritedMount = {
        from: src.name,
        type: m.type,
        container: m.container,
        readOnly,
      };
      if (m.type === 'bind') {
        if (m.host === undefined) {
          out.refusals.push(`volumes_from[${i}] (${at}): a bind whose host path Docker did not report`);
          continue;
        }
        const host = hostPath(`volumes_from[${i}] (${at})`, m.host);
        if (!host) continue;
        planned.host = host;
      } else if (m.type === 'volume') {
        if (!m.volume) {
          out.refusals.push(`volumes_from[${i}] (${at}): a volume Docker reported without a name`);
          continue;
        }
        const checked = volumeSource(`volumes_from[${i}] (volume "${m.volume.name}" ${at}`, m.volume.source);
        if (!checked) continue;
        planned.volume = { name: m.volume.name, host: checked.host };
      } else if (!NO_HOST_PATH.has(m.type)) {
        out.refusals.push(
          `volumes_from[${i}] (${at}): a mount of type "${m.type}", which unraid-mcp cannot check`,
        );
        continue;
      }
      out.inherited.push(planned);
      shown.push(describeInherited(planned));
    }
    out.attention.push(
      `the mounts of container "${src.name}"${mode === 'ro' ? ', all read-only' : ''}: ${shown.join(', ') || 'none'}`,
    );
  });
  return out;
}

/** One inherited mount in plain words: `/mnt/user/appdata/x → /config (ro)`, `volume data → /data (rw)`. */
export function describeInherited(m: PlannedInheritedMount): string {
  const rw = m.readOnly ? 'ro' : 'rw';
  const via = (h: { path: string; resolved: string }) =>
    h.resolved !== h.path ? `${h.path} (${h.resolved})` : h.path;
  if (m.host) return `${via(m.host)} → ${m.container} (${rw})`;
  if (m.volume)
    return `volume ${m.volume.name}${m.volume.host ? ` (a bind of ${via(m.volume.host)})` : ''} → ${m.container} (${rw})`;
  return `${m.type} → ${m.container} (${rw})`;
}
