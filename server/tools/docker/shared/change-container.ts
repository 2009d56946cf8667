import type Docker from 'dockerode';
import type { ToolContext } from '../../context.js';
import { changeState, containerName, inspectContainer } from '../../../backends/docker/container-action.js';
import { ToolError } from '../../../errors/tool-error.js';
import { withDeadline } from '../../../util/with-deadline.js';
import type { ContainerActionOutput } from './container-action-output.js';

/** What to do about a container in a given state: act, or leave it as it is and say why. */
export type ContainerPlan =
  | {
      /** The Docker call, on the resolved container; pass `signal` on to Docker. */
      act: (container: Docker.Container, signal: AbortSignal) => Promise<unknown>;
      /**
       * The message when Docker answers 304 (the container reached the requested state between the
       * inspect and the call): the result is then `changed: false`. Without it a 304 counts as done
       * and the state is read back as after any action.
       */
      already?: string;
      /** Own deadline for the call (stop and restart wait up to their stop timeout); the tool's limit otherwise. */
      deadline?: { seconds: number; timeout: string; cancelled: string };
    }
  | { unchanged: string };

export interface ContainerChange {
  /** "Starting container" — prefixed to the container's name, then to Docker's reason when it fails. */
  what: string;
  /** Decides from the current state; throws ConflictError for a request that makes no sense in it. */
  plan(before: Docker.ContainerInspectInfo, name: string): ContainerPlan;
  /** The message once done, from the container read back afterwards. */
  done(after: Docker.ContainerInspectInfo, name: string): string;
}

/** The container the wrapper resolved, checked and confirmed — not whatever holds the name now. */
export async function inspectTarget(
  ctx: ToolContext,
  ref: string,
): Promise<{ docker: Docker; before: Docker.ContainerInspectInfo; name: string }> {
  const docker = await ctx.deps.docker();
  const before = await inspectContainer(docker, ctx.target?.id ?? ref, ctx.signal);
  return { docker, before, name: containerName(before) };
}

/**
 * One state change of the resolved container: inspect it, decide, act, inspect it again. The result
 * carries the state read back from Docker, so a container that exits right after starting shows so.
 */
export async function changeContainer(
  ctx: ToolContext,
  ref: string,
  change: ContainerChange,
): Promise<ContainerActionOutput> {
  const { docker, before, name } = await inspectTarget(ctx, ref);
  const previousState = before.State.Status;
  const result = (state: string, changed: boolean, message: string): ContainerActionOutput => ({
    name,
    id: before.Id,
    previousState,
    state,
    changed,
    message,
  });
  const plan = change.plan(before, name);
  if ('unchanged' in plan) return result(previousState, false, plan.unchanged);
  const what = `${change.what} "${name}"`;
  const act = (signal: AbortSignal) =>
    changeState(what, () => plan.act(docker.getContainer(before.Id), signal));
  const { deadline } = plan;
  const acted = deadline
    ? await withDeadline(
        ctx.signal,
        deadline.seconds * 1000,
        {
          timeout: () => new ToolError('timeout', deadline.timeout),
          cancelled: () => new ToolError('cancelled', deadline.cancelled),
        },
        act,
      )
    : await act(ctx.signal);
  if (!acted && plan.already !== undefined) return result(previousState, false, plan.already);
  const after = await inspectContainer(docker, before.Id, ctx.signal);
  return result(after.State.Status, true, change.done(after, name));
}
