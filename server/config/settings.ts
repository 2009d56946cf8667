import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { TOOLSETS } from '../tools/define-tool.js';
import { ConfigError, type ConfigProblem } from '../errors/config-error.js';
import { parseCfg } from './cfg-file.js';

export const SETTINGS_FILE = 'unraid-mcp.cfg';

const yesNo = z.enum(['yes', 'no']).transform((v) => v === 'yes');
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/**
 * Service settings kept in unraid-mcp.cfg. Each key has a default, so a missing file or key means
 * "default", while a present but invalid value is an error (never quietly replaced by the default).
 */
const cfgSchema = z
  .object({
    READ_ONLY: yesNo.default(false),
    TOOLSETS: z
      .string()
      .transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean))
      .pipe(z.array(z.enum(TOOLSETS, { error: (i) => `unknown toolset "${String(i.input)}" (known: ${TOOLSETS.join(', ')})` })))
      .default([...TOOLSETS]),
    RESPONSE_CAP_KB: int(4, 1024).default(40),
    MAX_SESSIONS: int(1, 1000).default(64),
    MAX_SESSIONS_PER_TOKEN: int(1, 1000).default(16),
    SESSION_IDLE_MINUTES: int(1, 1440).default(30),
    TOOL_TIMEOUT_SECONDS: int(1, 3600).default(30),
  })
  .strict();

export interface Settings {
  readOnly: boolean;
  toolsets: ReadonlyArray<(typeof TOOLSETS)[number]>;
  responseCapBytes: number;
  maxSessions: number;
  maxSessionsPerToken: number;
  sessionIdleMs: number;
  toolTimeoutMs: number;
}

export const DEFAULT_SETTINGS: Settings = settingsFromCfg({});

/** Validates cfg key/values; throws ConfigError naming the file and every bad field. */
export function settingsFromCfg(values: Record<string, string>, file = SETTINGS_FILE): Settings {
  const parsed = cfgSchema.safeParse(values);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({
        file,
        field: i.path.length ? i.path.join('.') : String((i as { keys?: string[] }).keys?.join(', ') ?? ''),
        message: i.code === 'unrecognized_keys' ? `unknown setting (known: ${Object.keys(cfgSchema.shape).join(', ')})` : i.message,
      })),
    );
  }
  const s = parsed.data;
  return {
    readOnly: s.READ_ONLY,
    toolsets: s.TOOLSETS,
    responseCapBytes: s.RESPONSE_CAP_KB * 1024,
    maxSessions: s.MAX_SESSIONS,
    maxSessionsPerToken: s.MAX_SESSIONS_PER_TOKEN,
    sessionIdleMs: s.SESSION_IDLE_MINUTES * 60_000,
    toolTimeoutMs: s.TOOL_TIMEOUT_SECONDS * 1000,
  };
}

/** Reads unraid-mcp.cfg from the config directory; a missing file means all defaults. */
export async function loadSettings(configDir: string): Promise<Settings> {
  const text = await readFile(join(configDir, SETTINGS_FILE), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw new ConfigError([{ file: SETTINGS_FILE, field: '(file)', message: `cannot be read: ${err.code ?? err.message}` }]);
  });
  const { values, problems } = parseCfg(text);
  const lineProblems: ConfigProblem[] = problems.map((p) => ({ file: SETTINGS_FILE, field: `line ${p.line}`, message: p.message }));
  let settings: Settings | undefined;
  try {
    settings = settingsFromCfg(values);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    lineProblems.push(...err.problems);
  }
  if (lineProblems.length || !settings) throw new ConfigError(lineProblems);
  return settings;
}
