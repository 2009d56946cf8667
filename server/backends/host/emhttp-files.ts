import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { parseEmhttpIni, type EmhttpIni, type ParseOptions } from './emhttp-ini.js';

/** The emhttp state files this backend reads. A closed set, so no caller can make us read another path. */
export type EmhttpFileName = 'var.ini' | 'disks.ini' | 'shares.ini';

export interface EmhttpFiles {
  /** Parsed file, or null when it does not exist (not Unraid, or emhttp has not written it yet). */
  read(file: EmhttpFileName, signal?: AbortSignal): Promise<EmhttpIni | null>;
  /** Like read, but a missing or unreadable file becomes a BackendUnavailableError the model can act on. */
  require(file: EmhttpFileName, signal?: AbortSignal): Promise<EmhttpIni>;
}

/**
 * var.ini carries `csrf_token`, the secret that authorises every state-changing WebGUI/emhttpd request.
 * It is dropped while parsing, so it never exists as parsed data and cannot reach a tool result, a log
 * line or an error message. Keyed per file so the cache can never hold a copy parsed without it.
 */
const PARSE_OPTIONS: Record<EmhttpFileName, ParseOptions> = {
  'var.ini': { omitKeys: new Set(['csrf_token']) },
  'disks.ini': {},
  'shares.ini': {},
};

interface CacheEntry {
  mtimeNs: bigint;
  size: bigint;
  ino: bigint;
  ini: EmhttpIni;
}

/**
 * The message for a missing state file. No absolute paths: the client only needs to know what to do.
 * var.ini missing means "not Unraid (or emhttp not up)"; another file missing while var.ini exists means
 * emhttp has not published it yet.
 */
export function missingStateMessage(file: EmhttpFileName): string {
  if (file === 'var.ini') {
    return (
      'emhttp state (var.ini) was not found — this does not look like an Unraid server, ' +
      'or its array service (emhttp) has not started yet. system_overview still works.'
    );
  }
  return (
    `emhttp state (${file}) was not found — emhttp has not published it yet. ` +
    'Try again in a minute; system_overview and system_array_status work without it.'
  );
}

function unreadableStateMessage(file: EmhttpFileName): string {
  return `emhttp state (${file}) could not be read (permission denied) — unraid-mcp must run as root on the Unraid server.`;
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/**
 * Reads emhttp's ini files on every call (they change while the array runs) but only re-parses a file
 * when its mtime/size/inode changed, so a busy client costs one stat per file per call.
 */
export function createEmhttpFiles(emhttpRoot: string): EmhttpFiles {
  const cache = new Map<EmhttpFileName, CacheEntry>();

  async function read(file: EmhttpFileName, signal?: AbortSignal): Promise<EmhttpIni | null> {
    const path = join(emhttpRoot, file);
    try {
      const st = await stat(path, { bigint: true });
      const hit = cache.get(file);
      if (hit && hit.mtimeNs === st.mtimeNs && hit.size === st.size && hit.ino === st.ino) return hit.ini;
      const ini = parseEmhttpIni(await readFile(path, { encoding: 'utf8', signal }), PARSE_OPTIONS[file]);
      cache.set(file, { mtimeNs: st.mtimeNs, size: st.size, ino: st.ino, ini });
      return ini;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        cache.delete(file);
        return null;
      }
      if (code === 'EACCES' || code === 'EPERM')
        throw new BackendUnavailableError(unreadableStateMessage(file));
      throw err;
    }
  }

  return {
    read,
    async require(file, signal) {
      const ini = await read(file, signal);
      if (ini === null) throw new BackendUnavailableError(missingStateMessage(file));
      return ini;
    },
  };
}
