import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { readVarIniText } from './var-ini-text.js';

const TOKEN_LINE = /^csrf_token="?([^"\r\n]*)"?\s*$/m;

/**
 * var.ini's `csrf_token`, read from the file on every command (emhttpd makes a new one at each boot and
 * the WebGUI may rotate it), never cached and never handed to anything but the request body. The
 * shared emhttp reader drops this key while parsing, so this is the one place it is read.
 */
export async function readCsrfToken(varIniPath: string, signal?: AbortSignal): Promise<string> {
  const text = await readVarIniText(varIniPath, signal, 'Nothing was sent.');
  const token = TOKEN_LINE.exec(text)?.[1]?.trim() ?? '';
  if (token === '')
    throw new BackendUnavailableError(
      'var.ini has no csrf_token, so emhttpd would refuse the command — emhttp may still be starting. Try again in a minute; nothing was sent.',
    );
  return token;
}
