import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ConfigProblem } from '../errors/config-error.js';
import type { CompiledPolicy } from './policy/compile-policy.js';
import { parseCfg } from './cfg-file.js';
import { POLICY_FILE, parsePolicyFile } from './policy-file.js';
import {
  DEFAULT_POLICY_SETTINGS,
  SETTINGS_FILE,
  settingsFromCfg,
  type PolicySettings,
  type ServiceSettings,
  type Settings,
} from './settings.js';
import { checkPolicySettings, type KnownTool } from './settings-check.js';
import { NOTHING_SEEN, deletedFileProblem, readSeenFiles, type SeenFiles } from './seen-settings-files.js';
import { requireConfigFolder } from './config-folder.js';

/** One settings file as read: its text, absent (defaults), or unreadable (an error, never defaults). */
export type FileText =
  { state: 'present'; text: string } | { state: 'missing' } | { state: 'unreadable'; code: string };

export interface ConfigTexts {
  cfg: FileText;
  policy: FileText;
}

export interface LoadedConfig {
  settings: Settings;
  policy: CompiledPolicy;
  revision: string;
}

export const configPaths = (configDir: string) => ({
  cfg: join(configDir, SETTINGS_FILE),
  policy: join(configDir, POLICY_FILE),
});

export function readFileText(path: string): FileText {
  try {
    return { state: 'present', text: readFileSync(path, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return code === 'ENOENT' ? { state: 'missing' } : { state: 'unreadable', code };
  }
}

/** Reads both files. Synchronous on purpose: small files, read only when their stat changes. */
export function readConfigTexts(configDir: string): ConfigTexts {
  const p = configPaths(configDir);
  return { cfg: readFileText(p.cfg), policy: readFileText(p.policy) };
}

/** Revision of the pair: changes whenever either file's content changes (and only then). */
export function revisionOf(texts: ConfigTexts): string {
  const h = createHash('sha256');
  for (const f of [texts.cfg, texts.policy]) {
    h.update(
      f.state === 'present'
        ? `present:${createHash('sha256').update(f.text).digest('hex')}`
        : f.state === 'missing'
          ? 'missing'
          : `unreadable:${f.code}`,
    );
    h.update('\n');
  }
  return h.digest('hex').slice(0, 20);
}

/** A missing file that existed before is a problem (its defaults are weaker), never "defaults". */
function deleted(file: string, f: FileText, seen: SeenFiles, problems: ConfigProblem[]): boolean {
  const message = f.state === 'missing' ? deletedFileProblem(file, seen) : null;
  if (message) problems.push({ file, field: '(file)', message });
  return message !== null;
}

function serviceFrom(f: FileText, seen: SeenFiles, problems: ConfigProblem[]): ServiceSettings | null {
  if (f.state === 'unreadable') {
    problems.push({ file: SETTINGS_FILE, field: '(file)', message: `cannot be read: ${f.code}` });
    return null;
  }
  if (deleted(SETTINGS_FILE, f, seen, problems)) return null;
  const { values, problems: lines } = parseCfg(f.state === 'present' ? f.text : '');
  problems.push(...lines.map((p) => ({ file: SETTINGS_FILE, field: `line ${p.line}`, message: p.message })));
  try {
    return settingsFromCfg(values);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
    return null;
  }
}

function policyFrom(f: FileText, seen: SeenFiles, problems: ConfigProblem[]): PolicySettings | null {
  if (f.state === 'unreadable') {
    problems.push({ file: POLICY_FILE, field: '(file)', message: `cannot be read: ${f.code}` });
    return null;
  }
  if (deleted(POLICY_FILE, f, seen, problems)) return null;
  if (f.state === 'missing') return DEFAULT_POLICY_SETTINGS;
  try {
    return parsePolicyFile(f.text);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
    return null;
  }
}

/**
 * Validates both files and compiles the rules. Throws one ConfigError with every problem of both
 * files (file + field each). A missing file means defaults unless `seen` says it existed before (then
 * it was deleted, which is an error); a present but bad one is never replaced by defaults.
 */
export function parseConfig(
  texts: ConfigTexts,
  knownTools: ReadonlyArray<KnownTool>,
  seen: SeenFiles = NOTHING_SEEN,
): LoadedConfig {
  const problems: ConfigProblem[] = [];
  const service = serviceFrom(texts.cfg, seen, problems);
  const rules = policyFrom(texts.policy, seen, problems);
  let policy: CompiledPolicy | null = null;
  if (rules) {
    const checked = checkPolicySettings(rules, knownTools);
    problems.push(...checked.problems);
    policy = checked.policy;
  }
  if (problems.length || !service || !rules || !policy) throw new ConfigError(problems);
  return { settings: { ...service, ...rules }, policy, revision: revisionOf(texts) };
}

/**
 * Loads and validates the settings pair (for `unraid-mcp config check` and one-off readers). A missing
 * configuration folder is a problem here, not two files at their defaults: it usually means
 * UNRAID_MCP_CONFIG_DIR points at the wrong place.
 */
export async function loadConfig(
  configDir: string,
  knownTools: ReadonlyArray<KnownTool>,
): Promise<LoadedConfig> {
  requireConfigFolder(configDir);
  return parseConfig(readConfigTexts(configDir), knownTools, readSeenFiles(configDir));
}
