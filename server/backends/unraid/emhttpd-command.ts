import { request } from 'node:http';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { ToolError } from '../../errors/tool-error.js';
import { readCsrfToken } from './csrf-token.js';

/** Where emhttpd listens and where its token lives; from the host layout, so tests point them elsewhere. */
export interface EmhttpdEndpoint {
  socketPath: string;
  varIniPath: string;
  /** How long emhttpd may take to answer one command. */
  timeoutMs: number;
}

/** One command as WebGUI forms send it: ordered form fields, without csrf_token (added here). */
export type EmhttpdFields = ReadonlyArray<readonly [string, string]>;

/** emhttpd answered but refused or failed the command. */
export class EmhttpdRefusedError extends ToolError {
  constructor(message: string) {
    super('emhttpd_refused', message);
  }
}

/** Longest answer body kept for the message: emhttpd's replies are one short line. */
const MAX_REPLY_CHARS = 300;

/**
 * Sends one command to emhttpd the way Unraid's own `emcmd` does: an
 * `application/x-www-form-urlencoded` POST to `/update` over emhttpd's unix socket, with var.ini's
 * `csrf_token` read fresh and appended last. Success is a 2xx with an empty body (emcmd treats any text
 * as an error). The token is never put in a message: errors describe what happened, not the request.
 */
export async function sendEmhttpdCommand(
  endpoint: EmhttpdEndpoint,
  fields: EmhttpdFields,
  signal?: AbortSignal,
): Promise<void> {
  const token = await readCsrfToken(endpoint.varIniPath, signal);
  const body = new URLSearchParams([
    ...fields.map(([k, v]): [string, string] => [k, v]),
    ['csrf_token', token],
  ]).toString();
  const { status, reply } = await post(endpoint, body, signal);
  // An answer that echoes the request must not carry the token into a message.
  const text = sanitize(reply.split(token).join('(token removed)'));
  if (status === 403 || /csrf_token/i.test(reply))
    throw new EmhttpdRefusedError(
      "emhttpd refused the command's security token (csrf_token). The WebGUI may have just restarted; try again once. Nothing changed.",
    );
  if (status < 200 || status >= 300)
    throw new EmhttpdRefusedError(
      `emhttpd answered HTTP ${status}${text ? `: ${text}` : ''}. The command was not carried out.`,
    );
  if (text !== '') throw new EmhttpdRefusedError(`emhttpd did not carry out the command: ${text}`);
}

/** One line of printable text from emhttpd's reply, bounded, with anything token-like removed. */
function sanitize(reply: string): string {
  const oneLine = reply.replace(/[^\x20-\x7e\u00a0-\uffff]+/g, ' ').trim();
  const clean = oneLine.replace(/csrf_token\S*/gi, 'csrf_token');
  return clean.length > MAX_REPLY_CHARS ? `${clean.slice(0, MAX_REPLY_CHARS)}…` : clean;
}

function post(
  endpoint: EmhttpdEndpoint,
  body: string,
  signal?: AbortSignal,
): Promise<{ status: number; reply: string }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, value?: { status: number; reply: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value!);
    };
    const req = request(
      {
        socketPath: endpoint.socketPath,
        path: '/update',
        method: 'POST',
        headers: {
          Host: 'localhost',
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 64 * 1024) chunks.push(c);
        });
        res.on('end', () =>
          finish(null, { status: res.statusCode ?? 0, reply: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', () =>
          finish(
            new BackendUnavailableError(
              'emhttpd closed the connection mid-answer; the command may or may not have been carried out — check the state before trying again.',
            ),
          ),
        );
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(
        new BackendUnavailableError(
          `emhttpd did not answer within ${Math.round(endpoint.timeoutMs / 1000)} s; it may be busy (array starting or stopping) or hung. The command may or may not have been carried out — check the state before trying again.`,
        ),
      );
    }, endpoint.timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish(
        new BackendUnavailableError(
          'The call was cancelled while waiting for emhttpd; the command may have been carried out.',
        ),
      );
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')
        finish(
          new BackendUnavailableError(
            "emhttpd is not running (its socket is missing or refuses connections), so the array cannot be controlled now. Nothing was sent. Check the WebGUI's Main page; emhttpd runs whenever Unraid's WebGUI is up.",
          ),
        );
      else if (err.code === 'EACCES' || err.code === 'EPERM')
        finish(
          new BackendUnavailableError(
            "emhttpd's socket could not be opened (permission denied) — unraid-mcp must run as root. Nothing was sent.",
          ),
        );
      else
        finish(
          new BackendUnavailableError(
            `The connection to emhttpd failed (${err.code ?? 'error'}); nothing was carried out.`,
          ),
        );
    });
    req.end(body);
  });
}
