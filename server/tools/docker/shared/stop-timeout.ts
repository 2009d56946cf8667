import { z } from 'zod';

/** Docker's own ceiling for a graceful stop we accept; the wrapper's timeout is derived from it. */
export const MAX_STOP_TIMEOUT_S = 600;
/** Time allowed on top of the stop timeout for Docker to kill, reap and answer. */
export const STOP_SLACK_S = 15;

/** The `timeout` argument of docker_stop and docker_restart. */
export const stopTimeout = z
  .number()
  .int()
  .min(0)
  .max(MAX_STOP_TIMEOUT_S)
  .default(10)
  .describe(
    'Seconds to wait after the stop signal before Docker kills the container with SIGKILL (0 = kill at once)',
  );

/** `SIGTERM (or the image's stop signal), then SIGKILL after 10 s` — for confirmation prompts. */
export function graceText(timeout: number): string {
  return timeout === 0
    ? "SIGTERM (or the image's stop signal), then SIGKILL at once"
    : `SIGTERM (or the image's stop signal), then SIGKILL after ${timeout} s`;
}
