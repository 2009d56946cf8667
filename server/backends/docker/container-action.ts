import type Docker from 'dockerode';
import { z } from 'zod';
import { dockerCall, toDockerError } from './docker-errors.js';

/**
 * What every container lifecycle tool returns. The state is read back from Docker after the action,
 * so a container that exits right after starting shows as exited, not as "started".
 */
export const containerActionOutput = z.object({
  name: z.string().describe('Container name'),
  id: z.string().describe('Full container ID'),
  previousState: z.string().describe('State before the call: created, running, paused, restarting, exited or dead'),
  state: z.string().describe('State after the call, read back from Docker (created, running, paused, restarting, exited, dead), or "removed"'),
  changed: z.boolean().describe('False when the container was already in the requested state and nothing was done'),
  message: z.string().describe('What happened, in plain words'),
});
export type ContainerActionOutput = z.infer<typeof containerActionOutput>;

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
export async function inspectContainer(docker: Docker, ref: string, signal: AbortSignal): Promise<Docker.ContainerInspectInfo> {
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

/** The result of a call that found the container already in the requested state. */
export function unchanged(info: Docker.ContainerInspectInfo, message: string): ContainerActionOutput {
  return { name: containerName(info), id: info.Id, previousState: info.State.Status, state: info.State.Status, changed: false, message };
}

/** Reads the container back after an action and builds the result from its new state. */
export async function afterAction(
  docker: Docker,
  before: Docker.ContainerInspectInfo,
  signal: AbortSignal,
  message: (after: Docker.ContainerInspectInfo) => string,
): Promise<ContainerActionOutput> {
  const after = await inspectContainer(docker, before.Id, signal);
  return { name: containerName(before), id: before.Id, previousState: before.State.Status, state: after.State.Status, changed: true, message: message(after) };
}
