import { readFile } from 'node:fs/promises';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';

/**
 * var.ini's text, read now (the parity tools must see what emhttpd just did, and its csrf_token
 * changes at each boot). A missing or unreadable file is a plain BackendUnavailableError; `after`
 * ends its message (e.g. "Nothing was sent." before a command).
 */
export async function readVarIniText(path: string, signal?: AbortSignal, after = ''): Promise<string> {
  const end = after ? ` ${after}` : '';
  try {
    return await readFile(path, { encoding: 'utf8', signal });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new BackendUnavailableError(
        `emhttp state (var.ini) was not found — this does not look like an Unraid server, or emhttp has not started yet.${end}`,
      );
    if (code === 'EACCES' || code === 'EPERM')
      throw new BackendUnavailableError(
        `emhttp state (var.ini) could not be read (permission denied) — unraid-mcp must run as root.${end}`,
      );
    throw err;
  }
}
