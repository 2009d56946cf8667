import type Docker from 'dockerode';
import type { ImageReference } from './image-reference.js';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { ToolError } from '../../errors/tool-error.js';
import { toDockerError } from './docker-errors.js';
import { PullProgress, type PullEvent, type PullSnapshot } from './pull-progress.js';

/** The registry could not be reached at all (DNS, connection, timeout, TLS): an offline server. */
export class RegistryUnreachableError extends BackendUnavailableError {
  readonly registry: string;
  constructor(registry: string, reason: string) {
    super(
      `could not reach registry ${registry}: ${reason}. Check the server's network and DNS; images already on the server can still be used.`,
    );
    this.registry = registry;
  }
}

export interface PullOptions {
  signal: AbortSignal;
  /** `os/arch[/variant]`, when not the server's own. */
  platform?: string;
  /** Called with the folded progress, at most every `throttleMs` and once at the end. */
  onProgress?: (snapshot: PullSnapshot) => void;
  throttleMs?: number;
}

export interface PullResult {
  status: 'downloaded' | 'up_to_date';
  digest: string | null;
  snapshot: PullSnapshot;
}

const UNREACHABLE: ReadonlyArray<[RegExp, string]> = [
  [/no such host/i, 'its name does not resolve (no such host)'],
  [/server misbehaving/i, 'the DNS lookup failed (server misbehaving)'],
  [/connection refused/i, 'connection refused'],
  [/network is unreachable|no route to host/i, 'there is no network route to it'],
  [/i\/o timeout|Client\.Timeout|deadline exceeded|TLS handshake timeout/i, 'the connection timed out'],
  [/x509|certificate/i, 'its TLS certificate is not trusted'],
  [/connection reset|unexpected EOF|: EOF$/i, 'the connection was cut'],
];

/** Docker's message, first line, without addresses of the server's DNS resolver. */
const clean = (m: string) => (m.split('\n')[0] ?? '').replace(/ on \[?[0-9a-f.:]+\]?:53/gi, '').slice(0, 300);

/** Turns a pull failure message from Docker into an error a model can act on. */
export function pullFailure(message: string, ref: ImageReference): ToolError {
  const unreachable = UNREACHABLE.find(([re]) => re.test(message));
  if (unreachable) return new RegistryUnreachableError(ref.registry, unreachable[1]);
  if (/toomanyrequests|too many requests|rate limit/i.test(message))
    return new ToolError(
      'registry_rate_limited',
      `${ref.registry} refused the pull: too many requests (a registry pull limit). Try again later.`,
    );
  if (/manifest unknown|not found|does not exist|pull access denied|no matching manifest/i.test(message)) {
    return new NotFoundError(
      `image ${ref.reference} was not found on ${ref.registry} (${clean(message)}). Check the name and tag; a private image needs a registry login on the server.`,
    );
  }
  if (/unauthorized|authentication required|denied/i.test(message))
    return new ToolError(
      'registry_denied',
      `${ref.registry} refused access to ${ref.reference} (${clean(message)}). A private image needs a registry login on the server.`,
    );
  return new ToolError(
    'pull_failed',
    `pulling ${ref.reference} from ${ref.registry} failed: ${clean(message)}`,
  );
}

/**
 * Pulls an image with progress and cancellation: aborting `signal` destroys the HTTP stream, which
 * makes dockerd cancel the pull. Failures become RegistryUnreachableError, NotFoundError or a
 * ToolError naming the registry; a cancelled pull rejects with the signal's reason.
 */
export async function pullImage(docker: Docker, ref: ImageReference, opts: PullOptions): Promise<PullResult> {
  const { signal } = opts;
  if (signal.aborted) throw signal.reason;
  let stream: NodeJS.ReadableStream;
  try {
    // dockerode would also send the query options as a JSON body. dockerd's pull handler never reads
    // that body, and Go's HTTP server only notices a client hanging up once the body has been read:
    // with a body, aborting here would leave dockerd pulling. `_query` + an empty `_body` send none.
    const query = {
      fromImage: ref.name,
      tag: ref.digest ?? ref.tag ?? 'latest',
      ...(opts.platform ? { platform: opts.platform } : {}),
    };
    stream = await docker.createImage({ _query: query, _body: {}, abortSignal: signal });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    const e = err as {
      statusCode?: number;
      json?: { message?: string } | null;
      reason?: string;
      message?: string;
    };
    // For streaming calls docker-modem puts Docker's message only in `message`, after an "(HTTP code N) … - " prefix.
    if (e.statusCode)
      throw pullFailure(
        e.json?.message ?? (e.message ?? e.reason ?? '').replace(/^\(HTTP code \d+\) [^-]*- /, '').trim(),
        ref,
      );
    throw toDockerError(err, `Pulling ${ref.reference}`);
  }
  return consume(stream, ref, opts);
}

function consume(stream: NodeJS.ReadableStream, ref: ImageReference, opts: PullOptions): Promise<PullResult> {
  const { signal } = opts;
  const progress = new PullProgress();
  const throttle = opts.throttleMs ?? 250;
  let last = 0;
  let lastKey = '';
  const report = (force: boolean) => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (!force && now - last < throttle) return;
    const snap = progress.snapshot();
    const key = `${snap.percent}|${snap.message}`;
    if (key === lastKey) return;
    last = now;
    lastKey = key;
    opts.onProgress(snap);
  };
  return new Promise<PullResult>((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const finish = (err: Error | null, result?: PullResult) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err !== null) reject(err);
      else resolve(result as PullResult);
    };
    const onAbort = () => {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      finish(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const line = (text: string) => {
      if (!text.trim()) return;
      let ev: PullEvent;
      try {
        ev = JSON.parse(text) as PullEvent;
      } catch {
        return;
      }
      if (progress.update(ev)) report(false);
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(line);
    });
    stream.on('end', () => {
      line(buffered);
      if (progress.error) return finish(pullFailure(progress.error, ref));
      report(true);
      finish(null, {
        status: progress.status ?? 'downloaded',
        digest: progress.digest,
        snapshot: progress.snapshot(),
      });
    });
    stream.on('error', (err: unknown) =>
      finish((signal.aborted ? signal.reason : toDockerError(err, `Pulling ${ref.reference}`)) as Error),
    );
    stream.on('close', () =>
      finish(
        signal.aborted
          ? (signal.reason as Error)
          : new ToolError(
              'pull_failed',
              `The connection to Docker closed while pulling ${ref.reference}; try again.`,
            ),
      ),
    );
  });
}
