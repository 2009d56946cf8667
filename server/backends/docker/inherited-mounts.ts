import type Docker from 'dockerode';
import { NotFoundError } from '../../errors/not-found-error.js';
import { containerName } from './container-summary.js';
import { dockerCall } from './docker-errors.js';
import { resolveContainer } from './resolve-container.js';
import { inspectVolume, volumeHostSource, type VolumeHostSource } from './volume-host-source.js';

/** One mount of an existing container, as `volumes_from` would copy it into a new one. */
export interface InheritedMount {
  /** Docker's mount type: bind, volume, tmpfs, image, … */
  type: string;
  /** Where it appears inside the container. */
  container: string;
  /** Read-only in the source container (`volumes_from` with ":ro" makes every mount read-only). */
  readOnly: boolean;
  /** A bind's host path, as Docker recorded it. */
  host?: string;
  /** A volume's name and what it brings from the host (null: data Docker keeps itself). */
  volume?: { name: string; source: VolumeHostSource | null };
}

/** The container a `volumes_from` entry names, as Docker resolves it, with the mounts it would pass on. */
export interface VolumesFromSource {
  /** Full ID: the new container is created from exactly this one, not whatever holds the name later. */
  id: string;
  name: string;
  mounts: InheritedMount[];
}

/**
 * Reads the containers `volumes_from` names (`refs`: the names or IDs without ":ro"/":rw") and every
 * mount Docker would copy from them — a container's `Mounts` already include what it got through its
 * own `volumes_from`. Keyed by the reference as written; null when no such container exists. Whether
 * the owner's filters hide one is for the create policy to decide, on the real name returned here.
 * Reads only.
 */
export async function readVolumesFromSources(
  docker: Docker,
  refs: ReadonlyArray<string>,
  signal: AbortSignal,
): Promise<Map<string, VolumesFromSource | null>> {
  const out = new Map<string, VolumesFromSource | null>();
  for (const ref of new Set(refs)) out.set(ref, await readSource(docker, ref, signal));
  return out;
}

async function readSource(
  docker: Docker,
  ref: string,
  signal: AbortSignal,
): Promise<VolumesFromSource | null> {
  // Docker's own lookup (full ID, name, ID prefix) with unraid-mcp's minimum prefix length.
  const target = await resolveContainer(docker, ref, signal).catch((err: unknown) => {
    if (err instanceof NotFoundError) return null;
    throw err;
  });
  if (!target) return null;
  const info = await dockerCall(`Inspecting container "${ref}"`, () =>
    docker.getContainer(target.id).inspect({ abortSignal: signal }),
  ).catch((err: unknown) => {
    if (err instanceof NotFoundError) return null; // removed in between
    throw err;
  });
  if (!info) return null;
  const mounts: InheritedMount[] = [];
  // Docker reports them in no set order; by destination, so the approver always reads the same list.
  const sorted = [...(info.Mounts ?? [])].sort((a, b) => (a.Destination < b.Destination ? -1 : 1));
  for (const m of sorted) {
    const mount: InheritedMount = { type: m.Type, container: m.Destination, readOnly: !m.RW };
    if (m.Type === 'bind') mount.host = m.Source;
    if (m.Type === 'volume' && m.Name) {
      const volume = await dockerCall(`Inspecting volume "${m.Name}"`, () =>
        inspectVolume(docker, m.Name as string, signal),
      );
      mount.volume = {
        name: m.Name,
        source: volume
          ? volumeHostSource(volume)
          : { kind: 'unchecked', what: 'a volume Docker no longer has' },
      };
    }
    mounts.push(mount);
  }
  return { id: info.Id, name: containerName([info.Name], info.Id), mounts };
}
