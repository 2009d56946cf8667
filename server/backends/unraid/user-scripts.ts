import { lstat, open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';

/**
 * The User Scripts plugin's files, as its own code uses them: each script is a folder
 * `<dir>/scripts/<folder>/` holding `script` (and optionally `name` and `description`); the schedule is
 * `<dir>/schedule.json`, keyed by the script's path; a run copies the script to
 * `<tmp>/tmpScripts/<folder>/script` and appends to `log.txt` beside it; `<tmp>/running/<folder>` exists
 * (holding the runner's pid) while it runs.
 */
export interface UserScriptsPaths {
  dir: string;
  tmpDir: string;
}

/** The settings a script's leading `#name=value` comment lines give the plugin. */
export interface ScriptVariables {
  name: string | null;
  description: string | null;
  foregroundOnly: boolean;
  backgroundOnly: boolean;
  arrayStarted: boolean;
  noParity: boolean;
  clearLog: boolean;
}

export interface UserScriptSchedule {
  /** disabled, hourly, daily, weekly, monthly, start (array start), stop (array stop), boot (first array start), custom. */
  frequency: string;
  /** The cron expression of a custom schedule. */
  custom: string | null;
}

export interface UserScript {
  /** The folder name: what user_script_run takes. */
  folder: string;
  /** The name the plugin shows (`name` file, else the script's `#name=`, else the folder). */
  name: string;
  description: string | null;
  variables: ScriptVariables;
  schedule: UserScriptSchedule;
  running: boolean;
  logPath: string;
  log: {
    exists: boolean;
    modifiedAt: string | null;
    lastStarted: string | null;
    lastFinished: string | null;
    tail: string[];
  };
}

const HEADER_BYTES = 16 * 1024;
const LOG_TAIL_BYTES = 32 * 1024;

async function readStart(path: string, bytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function readEnd(path: string, bytes: number): Promise<{ text: string; cut: boolean }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const len = Math.min(size, bytes);
    const buf = Buffer.alloc(len);
    await handle.read(buf, 0, len, size - len);
    return { text: buf.toString('utf8'), cut: size > len };
  } finally {
    await handle.close();
  }
}

const truthy = (v: string | undefined) => ['1', 'true', 'on', 'yes'].includes((v ?? '').trim().toLowerCase());

/**
 * The plugin's reading of a script's head: after the `#!` line, blank lines and `<?`, every line that
 * starts with `#` and has an `=` past its first character is `key=value` (parentheses and `#` dropped);
 * the first other line ends the block.
 */
export function readScriptVariables(script: string): ScriptVariables {
  const vars = new Map<string, string>();
  for (const line of script.replace(/\r/g, '').split('\n')) {
    if (line.startsWith('#!') || line.trim() === '' || line.startsWith('<?')) continue;
    if (!line.startsWith('#')) break;
    if (line.indexOf('=') <= 0) continue;
    const clean = line.replace(/#/g, '').replace(/[()]/g, '').trim();
    const [key, value] = clean.split('=');
    if (key !== undefined && key.trim() !== '') vars.set(key.trim(), value ?? '');
  }
  const str = (k: string) => (vars.get(k)?.trim() ? vars.get(k)!.trim() : null);
  return {
    name: str('name'),
    description: str('description'),
    foregroundOnly: truthy(vars.get('foregroundOnly')),
    backgroundOnly: truthy(vars.get('backgroundOnly')),
    arrayStarted: truthy(vars.get('arrayStarted')),
    noParity: truthy(vars.get('noParity')),
    clearLog: truthy(vars.get('clearLog')),
  };
}

/** schedule.json, by script folder (its keys are the scripts' paths on the flash drive). */
async function readSchedules(dir: string): Promise<Map<string, UserScriptSchedule>> {
  const out = new Map<string, UserScriptSchedule>();
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(join(dir, 'schedule.json'), 'utf8'));
  } catch {
    return out; // none yet, or unreadable: every script then shows as not scheduled
  }
  if (doc === null || typeof doc !== 'object') return out;
  for (const entry of Object.values(doc as Record<string, unknown>)) {
    if (entry === null || typeof entry !== 'object') continue;
    const e = entry as Record<string, unknown>;
    if (typeof e.script !== 'string' || typeof e.frequency !== 'string') continue;
    const folder = basename(dirname(e.script.replace(/"/g, '')));
    const custom = typeof e.custom === 'string' && e.custom.trim() !== '' ? e.custom.trim() : null;
    out.set(folder, { frequency: e.frequency, custom: e.frequency === 'custom' ? custom : null });
  }
  return out;
}

const STARTED_RE = /^Script Starting (.+?)\s*$/;
const FINISHED_RE = /^Script Finished (.+?)\s*$/;

async function readLog(logPath: string, lines: number): Promise<UserScript['log']> {
  let modifiedAt: string;
  try {
    modifiedAt = (await stat(logPath)).mtime.toISOString();
  } catch {
    return { exists: false, modifiedAt: null, lastStarted: null, lastFinished: null, tail: [] };
  }
  const { text, cut } = await readEnd(logPath, LOG_TAIL_BYTES);
  const all = text.split('\n');
  if (cut) all.shift(); // a partial first line
  // The plugin ends each entry with a blank line; the tail shows text, not that padding.
  while (all.length && all.at(-1)!.trim() === '') all.pop();
  let lastStarted: string | null = null;
  let lastFinished: string | null = null;
  for (const l of all) {
    const s = STARTED_RE.exec(l);
    if (s) {
      lastStarted = s[1]!;
      lastFinished = null;
    }
    const f = FINISHED_RE.exec(l);
    if (f) lastFinished = f[1]!;
  }
  return { exists: true, modifiedAt, lastStarted, lastFinished, tail: lines > 0 ? all.slice(-lines) : [] };
}

/** Folders under `<dir>/scripts` that hold a `script` file, as the plugin lists them. */
export async function listScriptFolders(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(dir, 'scripts'), { withFileTypes: true });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    if (code === 'EACCES' || code === 'EPERM')
      throw new BackendUnavailableError(
        'The User Scripts folder could not be read (permission denied) — unraid-mcp must run as root.',
      );
    throw err;
  }
  const folders: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const script = await lstat(join(dir, 'scripts', e.name, 'script')).catch(() => null);
    if (script?.isFile()) folders.push(e.name);
  }
  return folders.sort((a, b) => a.localeCompare(b));
}

export const scriptPath = (p: UserScriptsPaths, folder: string) => join(p.dir, 'scripts', folder, 'script');
export const logPathOf = (p: UserScriptsPaths, folder: string) =>
  join(p.tmpDir, 'tmpScripts', folder, 'log.txt');

export async function isRunning(p: UserScriptsPaths, folder: string): Promise<boolean> {
  return lstat(join(p.tmpDir, 'running', folder)).then(
    () => true,
    () => false,
  );
}

export async function readVariablesOf(p: UserScriptsPaths, folder: string): Promise<ScriptVariables> {
  return readScriptVariables(await readStart(scriptPath(p, folder), HEADER_BYTES));
}

async function optionalText(path: string): Promise<string | null> {
  const t = await readFile(path, 'utf8').catch(() => null);
  return t === null || t.trim() === '' ? null : t.replace(/\r/g, '').trim();
}

/** The description the plugin shows: the `description` file, else the script's `#description=`. */
export async function readDescriptionOf(p: UserScriptsPaths, folder: string): Promise<string | null> {
  return (
    (await optionalText(join(p.dir, 'scripts', folder, 'description'))) ??
    (await readVariablesOf(p, folder)).description
  );
}

/** Every script with its name, description, schedule, running flag and the tail of its last log. */
export async function listUserScripts(p: UserScriptsPaths, logLines: number): Promise<UserScript[]> {
  const [folders, schedules] = await Promise.all([listScriptFolders(p.dir), readSchedules(p.dir)]);
  return Promise.all(
    folders.map(async (folder) => {
      const base = join(p.dir, 'scripts', folder);
      const [variables, nameFile, descFile, running, log] = await Promise.all([
        readVariablesOf(p, folder),
        optionalText(join(base, 'name')),
        optionalText(join(base, 'description')),
        isRunning(p, folder),
        readLog(logPathOf(p, folder), logLines),
      ]);
      return {
        folder,
        name: nameFile ?? variables.name ?? folder,
        description: descFile ?? variables.description,
        variables,
        schedule: schedules.get(folder) ?? { frequency: 'disabled', custom: null },
        running,
        logPath: logPathOf(p, folder),
        log,
      };
    }),
  );
}
