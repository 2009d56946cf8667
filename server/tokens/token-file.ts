import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { SCOPES } from '../vocabulary.js';
import { ConfigError } from '../errors/config-error.js';
import { writeFileAtomic } from '../config/atomic-write.js';
import { fieldPath } from '../config/field-path.js';

export const TOKENS_FILE = 'tokens.json';

export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const tokenRecordSchema = z
  .object({
    name: z
      .string()
      .regex(TOKEN_NAME, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
    /** SHA-256 of the secret, hex. The secret itself is never stored. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (a SHA-256 hash)'),
    scope: z.enum(SCOPES),
    created: z.iso.datetime({ offset: true }),
    expires: z.iso.datetime({ offset: true }).nullable(),
  })
  .strict();

const tokenFileSchema = z
  .object({ version: z.literal(1), tokens: z.array(tokenRecordSchema) })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.tokens.forEach((t, i) => {
      if (seen.has(t.name))
        ctx.addIssue({
          code: 'custom',
          path: ['tokens', i, 'name'],
          message: `duplicate token name "${t.name}"`,
        });
      seen.add(t.name);
    });
  });

export type TokenRecord = z.infer<typeof tokenRecordSchema>;
export type TokenFile = z.infer<typeof tokenFileSchema>;

/** Parses tokens.json text; every problem is reported with its field. */
export function parseTokenFile(text: string): TokenFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([
      {
        file: TOKENS_FILE,
        field: '(file)',
        message: `is not valid JSON (${(err as Error).message}); restore it or delete it and create new tokens`,
      },
    ]);
  }
  const parsed = tokenFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ file: TOKENS_FILE, field: fieldPath(i.path), message: i.message })),
    );
  }
  return parsed.data;
}

/** Loads tokens.json; a missing file is an empty token list (no one can connect until a token exists). */
export async function loadTokenFile(configDir: string): Promise<TokenFile> {
  const text = await readFile(join(configDir, TOKENS_FILE), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw new ConfigError([
      { file: TOKENS_FILE, field: '(file)', message: `cannot be read: ${err.code ?? err.message}` },
    ]);
  });
  return text === null ? { version: 1, tokens: [] } : parseTokenFile(text);
}

export async function saveTokenFile(configDir: string, file: TokenFile): Promise<void> {
  await writeFileAtomic(
    join(configDir, TOKENS_FILE),
    JSON.stringify(tokenFileSchema.parse(file), null, 2) + '\n',
    0o600,
  );
}
