import { lstat, open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { PlgFormatError, readPlgHeader } from './plg-header.js';

export type PluginUpdateStatus =
  'update_available' | 'up_to_date' | 'not_checked' | 'no_update_url' | 'unknown';

export interface InstalledPlugin {
  /** The PLUGIN element's name (the plugin's folder name), else the file name without .plg. */
  name: string;
  file: string;
  version: string | null;
  author: string | null;
  pluginURL: string | null;
  support: string | null;
  /** min / max Unraid versions the installed copy declares. */
  minUnraid: string | null;
  maxUnraid: string | null;
  update: {
    status: PluginUpdateStatus;
    /** The version in the plugin manager's last downloaded copy, when there is one. */
    latestVersion: string | null;
    /** When that copy was downloaded (the manager calls a check older than a day "need check"). */
    checkedAt: string | null;
  };
}

export interface InstalledPlugins {
  plugins: InstalledPlugin[];
  /** .plg links whose file could not be read or parsed; skipped. */
  malformed: Array<{ file: string; problem: string }>;
}

/** The plugin manager lists the OS itself separately (Tools → Update OS); so does this. */
const OS_PLUGIN = 'unRAIDServer';
/** The PLUGIN element sits after the DOCTYPE, near the top; inline FILE bodies after it are not read. */
const HEAD_BYTES = 64 * 1024;

async function readHead(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

const reason = (err: unknown): string =>
  err instanceof PlgFormatError
    ? err.message
    : (err as { code?: string }).code === 'ENOENT'
      ? 'its link points to a file that does not exist'
      : `could not be read (${(err as { code?: string }).code ?? 'error'})`;

/** The checked copy's version against the installed one, the way the plugin manager compares (strcmp). */
async function updateOf(checkedDir: string, url: string | null, version: string | null) {
  if (url === null) return { status: 'no_update_url' as const, latestVersion: null, checkedAt: null };
  const copy = join(checkedDir, basename(url));
  let checkedAt: string;
  try {
    checkedAt = (await stat(copy)).ctime.toISOString();
  } catch {
    return { status: 'not_checked' as const, latestVersion: null, checkedAt: null };
  }
  try {
    const latest = readPlgHeader(await readHead(copy)).get('version') ?? null;
    if (latest === null || version === null)
      return { status: 'unknown' as const, latestVersion: latest, checkedAt };
    // PHP's strcmp: byte order. Plugin versions are dates (2025.06.21), so this is date order.
    const newer = Buffer.compare(Buffer.from(latest), Buffer.from(version)) > 0;
    return {
      status: newer ? ('update_available' as const) : ('up_to_date' as const),
      latestVersion: latest,
      checkedAt,
    };
  } catch {
    return { status: 'unknown' as const, latestVersion: null, checkedAt };
  }
}

/**
 * Installed plugins as the plugin manager sees them: every symlink `<pluginsDir>/*.plg` (the install
 * marker, pointing at the .plg on the flash drive), its PLUGIN attributes, and whether the copy the
 * manager downloaded when it last checked (`<checkedDir>/<basename of pluginURL>`) is newer. Nothing is
 * downloaded here: without a check in the WebGUI (or its daily cron) the status is "not_checked".
 */
export async function readInstalledPlugins(
  pluginsDir: string,
  checkedDir: string,
): Promise<InstalledPlugins> {
  let names: string[];
  try {
    names = (await readdir(pluginsDir)).filter((n) => n.endsWith('.plg')).sort();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { plugins: [], malformed: [] };
    if (code === 'EACCES' || code === 'EPERM')
      throw new BackendUnavailableError(
        'The plugin list (/var/log/plugins) could not be read (permission denied) — unraid-mcp must run as root.',
      );
    throw err;
  }
  const plugins: InstalledPlugin[] = [];
  const malformed: InstalledPlugins['malformed'] = [];
  for (const file of names) {
    const link = join(pluginsDir, file);
    // Only links count, as in the plugin manager (a plain file there is not an installed plugin).
    if (
      !(await lstat(link).then(
        (s) => s.isSymbolicLink(),
        () => false,
      ))
    )
      continue;
    let attrs: Map<string, string>;
    try {
      attrs = readPlgHeader(await readHead(link));
    } catch (err) {
      malformed.push({ file, problem: reason(err) });
      continue;
    }
    const name = attrs.get('name') || basename(file, '.plg');
    if (name === OS_PLUGIN) continue;
    const version = attrs.get('version') ?? null;
    const pluginURL = attrs.get('pluginURL') ?? null;
    plugins.push({
      name,
      file,
      version,
      author: attrs.get('author') ?? null,
      pluginURL,
      support: attrs.get('support') ?? null,
      minUnraid: attrs.get('min') ?? null,
      maxUnraid: attrs.get('max') ?? null,
      update: await updateOf(checkedDir, pluginURL, version),
    });
  }
  return { plugins, malformed };
}
