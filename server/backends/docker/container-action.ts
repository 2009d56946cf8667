import type Docker from 'dockerode';
import { dockerCall, toDockerError } from './docker-errors.js';

/** `"plex" (a1b2c3d4e5f6)` for confirmation prompts; the raw reference when nothing was resolved. */
export function quoteTarget(target: { name: string; id: string } | null, ref: string): string {
  return target ? `"${target.name}" (${target.id.slice(0, 12)})` : `"${ref}"`;
}

export const containerName = (info: Docker.ContainerInspectInfo): string => info.Name.replace(/^\//, '');

/** `exited (exit code 137)`, `running`, `paused`… */
export function stateText(info: Docker.ContainerInspectInfo): string {
  const s = info.State.Status;
  return s === 'exited' || s === 'dead' ? `${s} (exit code ${info.State.ExitCode})` : s;
}

/**
 * Inspects a container by the reference the wrapper already validated and resolved (name, full ID
 * or unique prefix — Docker resolves them in the same order). Tools act on the returned full ID.
 */
export async function inspectContainer(
  docker: Docker,
  ref: string,
  signal: AbortSignal,
): Promise<Docker.ContainerInspectInfo> {
  const id = ref.replace(/^\//, '');
  return dockerCall(`Container "${id}"`, () => docker.getContainer(id).inspect({ abortSignal: signal }));
}

/**
 * Runs a state change. Docker answers 304 when the container is already in the requested state (it
 * changed between our inspect and the call): that is "nothing to do", not an error, so it returns false.
 */
export async function changeState(what: string, call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 304) return false;
    throw toDockerError(err, what);
  }
}
