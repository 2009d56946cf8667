import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A Docker container id in a cgroup path: /docker/<id> (cgroupfs) or docker-<id>.scope (systemd). */
const DOCKER_CGROUP = /docker[-/]([0-9a-f]{64})(?:\.scope)?(?:\/|$)/m;

/**
 * The Docker container a host process runs in, from /proc/<pid>/cgroup (v1 and v2 lines alike); null
 * for a process outside Docker or one that has already exited.
 */
export async function containerOfPid(
  procRoot: string,
  pid: number,
  signal?: AbortSignal,
): Promise<string | null> {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const text = await readFile(join(procRoot, String(pid), 'cgroup'), { encoding: 'utf8', signal });
    return DOCKER_CGROUP.exec(text)?.[1] ?? null;
  } catch {
    return null;
  }
}
