import { readFile } from 'node:fs/promises';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';

const TOKEN_LINE = /^csrf_token="?([^"\r\n]*)"?\s*$/m;

/**
 * var.ini's `csrf_token`, read from the file on every command (emhttpd makes a new one at each boot and
 * the WebGUI may rotate it), never cached and never handed to anything but the request body. The
 * shared emhttp reader drops this key while parsing, so this is the one place it is read.
 */
export async function readCsrfToken(varIniPath: string, signal?: AbortSignal): Promise<string> {
  let text: string;
  try {
    text = await readFile(varIniPath, { encoding: 'utf8', signal });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new BackendUnavailableError(
        'emhttp state (var.ini) was not found — this does not look like an Unraid server, or emhttp has not started yet. Nothing was sent.',
      );
    if (code === 'EACCES' || code === 'EPERM')
      throw new BackendUnavailableError(
        'emhttp state (var.ini) could not be read (permission denied) — unraid-mcp must run as root. Nothing was sent.',
      );
    throw err;
  }
  const token = TOKEN_LINE.exec(text)?.[1]?.trim() ?? '';
  if (token === '')
    throw new BackendUnavailableError(
      'var.ini has no csrf_token, so emhttpd would refuse the command — emhttp may still be starting. Try again in a minute; nothing was sent.',
    );
  return token;
}
