import type Docker from 'dockerode';
import type { IncomingMessage } from 'node:http';

export interface LogRequest {
  stdout: boolean;
  stderr: boolean;
  timestamps: boolean;
  /** A line count, or 'all'. Docker applies it before stream selection. */
  tail: number | 'all';
  /** Docker's `seconds.nanoseconds` form (see time-spec.ts). */
  since?: string;
  until?: string;
}

/**
 * Opens a container's log body as a stream. dockerode's `logs({follow: false})` reads the whole body
 * into one Buffer before resolving — for a container that has logged gigabytes that is gigabytes of
 * RAM — so this asks the daemon through dockerode's own modem with `isStream`, and the caller reads
 * it chunk by chunk. Errors come back as dockerode errors (statusCode, reason): wrap in dockerCall.
 */
export function openLogStream(
  docker: Docker,
  id: string,
  req: LogRequest,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const query: Record<string, string | number | boolean> = {
    follow: false,
    stdout: req.stdout,
    stderr: req.stderr,
    timestamps: req.timestamps,
    tail: req.tail,
  };
  if (req.since !== undefined) query.since = req.since;
  if (req.until !== undefined) query.until = req.until;
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/containers/${encodeURIComponent(id)}/logs?`,
        method: 'GET',
        isStream: true,
        abortSignal: signal,
        statusCodes: {
          200: true,
          404: 'no such container',
          500: 'server error',
          501: 'logging driver does not support reading',
        },
        options: query,
      },
      (err, stream) => (err ? reject(err) : resolve(stream as IncomingMessage)),
    );
  });
}
