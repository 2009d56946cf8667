import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { ToolError } from '../../errors/tool-error.js';

export const DOCKER_DOWN =
  'The Docker service is not running. Start it in Settings → Docker, then try again.';

interface DockerodeError {
  code?: string;
  statusCode?: number;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

/** Docker's own message, first line only and without socket paths, for a model to read. */
function daemonMessage(e: DockerodeError): string {
  const raw = e.json?.message ?? e.reason ?? e.message ?? '';
  return raw
    .split('\n')[0]!
    .replace(/(unix:\/\/)?\/[\w./-]*docker\.sock/g, 'the Docker socket')
    .slice(0, 300);
}

/**
 * Turns a dockerode failure into an error a model can act on: Docker not running, not found, a
 * conflict with the current state, or a bad request — with Docker's own (sanitised) reason.
 * Anything else is rethrown unchanged and reaches the client as a generic failure.
 */
export function toDockerError(err: unknown, what: string): unknown {
  if (err instanceof ToolError) return err;
  const e = err as DockerodeError;
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'EPIPE')
    return new BackendUnavailableError(DOCKER_DOWN);
  switch (e.statusCode) {
    case 304:
      return new ConflictError(
        `${what}: nothing to do — ${daemonMessage(e) || 'it is already in that state'}.`,
      );
    case 400:
      return new InvalidInputError(`${what}: Docker refused the request — ${daemonMessage(e)}.`);
    case 404:
      return new NotFoundError(`${what}: ${daemonMessage(e) || 'not found'}.`);
    case 409:
      return new ConflictError(`${what}: ${daemonMessage(e)}.`);
    default:
      return err;
  }
}

/** Runs a Docker call, mapping its failures with toDockerError. */
export async function dockerCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toDockerError(err, what);
  }
}
