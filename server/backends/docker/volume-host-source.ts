import type Docker from 'dockerode';

/**
 * What a named volume brings into a container from outside Docker's own storage:
 * - `path`: a host path Docker mounts — the `device` of a local volume mounted as a bind (`o=bind`,
 *   `type=none` or no type), or the folder a volume plugin mounted on the host;
 * - `unchecked`: a mount whose source is not a host path that can be checked (an NFS or CIFS share, an
 *   overlay, a disk file system on a device), described in plain words.
 * A volume whose data Docker keeps itself (local driver without mount options) or in memory (tmpfs)
 * has none: `volumeHostSource` returns null for it.
 */
export type VolumeHostSource = { kind: 'path'; path: string } | { kind: 'unchecked'; what: string };

/**
 * Reads a volume's definition the way Docker's local driver uses it (moby volume/local): without
 * `type`, `device` and `o` Docker keeps the data in its own folder; otherwise it calls mount(2) with
 * `device` as the source, and a `bind`/`rbind` flag in `o` makes that a bind of the host path `device`
 * whatever `type` says. Anything that is neither is reported as unchecked, so the create policy
 * refuses it rather than guess where it leads (an overlay's `lowerdir=` can name any host folder).
 */
export function volumeHostSource(
  info: Pick<Docker.VolumeInspectInfo, 'Driver' | 'Mountpoint' | 'Options'>,
): VolumeHostSource | null {
  if (info.Driver !== 'local')
    return info.Mountpoint
      ? { kind: 'path', path: info.Mountpoint }
      : { kind: 'unchecked', what: `a volume of the "${info.Driver}" plugin that reports no host folder` };
  const o = info.Options ?? {};
  const type = (o.type ?? '').trim();
  const device = o.device ?? '';
  const flags = (o.o ?? '').split(',').map((f) => f.trim());
  const bind = flags.includes('bind') || flags.includes('rbind');
  if (!type && !device && !o.o) return null;
  if (!bind && type === 'tmpfs') return null;
  if (!device) return { kind: 'unchecked', what: 'mount options without a device' };
  if (bind || type === '' || type === 'none') return { kind: 'path', path: device };
  return { kind: 'unchecked', what: `a "${type}" file system from ${JSON.stringify(device.slice(0, 200))}` };
}

/** Inspects a volume; null when Docker has none of that name. */
export async function inspectVolume(
  docker: Docker,
  name: string,
  signal: AbortSignal,
): Promise<Docker.VolumeInspectInfo | null> {
  return docker
    .getVolume(name)
    .inspect({ abortSignal: signal } as object)
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode === 404) return null;
      throw err;
    });
}

/**
 * The named volumes among `names` that exist and bring something from the host, by name. A volume
 * that does not exist yet is left out: Docker creates it as a plain local volume (the request has no
 * way to give driver options).
 */
export async function readVolumeHostSources(
  docker: Docker,
  names: ReadonlyArray<string>,
  signal: AbortSignal,
): Promise<Map<string, VolumeHostSource>> {
  const out = new Map<string, VolumeHostSource>();
  for (const name of new Set(names)) {
    const info = await inspectVolume(docker, name, signal);
    const source = info && volumeHostSource(info);
    if (source) out.set(name, source);
  }
  return out;
}
