import type { Scope } from '../vocabulary.js';
import { generateSecret, hashSecret } from './token-secret.js';
import { loadTokenFile, saveTokenFile, TOKEN_NAME, type TokenRecord } from './token-file.js';
import { loadUsage } from './token-usage.js';
import { requireConfigFolder } from '../config/config-folder.js';

/** Token operations shared by the CLI and the admin API. Each reads, changes and atomically rewrites tokens.json. */

export interface CreatedToken {
  record: TokenRecord;
  /** Shown once; only its hash is stored. */
  secret: string;
}

export async function createToken(
  configDir: string,
  name: string,
  scope: Scope,
  expires: Date | null,
  now: Date,
): Promise<CreatedToken> {
  if (!TOKEN_NAME.test(name)) {
    throw new Error(
      `token name "${name}" is not allowed: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  const file = await loadTokenFile(configDir);
  if (file.tokens.some((t) => t.name === name))
    throw new Error(`a token named "${name}" already exists; revoke it first or pick another name`);
  const secret = generateSecret();
  const record: TokenRecord = {
    name,
    sha256: hashSecret(secret).toString('hex'),
    scope,
    created: now.toISOString(),
    expires: expires ? expires.toISOString() : null,
  };
  await saveTokenFile(configDir, { ...file, tokens: [...file.tokens, record] });
  return { record, secret };
}

export interface TokenListing {
  name: string;
  scope: Scope;
  created: string;
  expires: string | null;
  expired: boolean;
  lastUsed: string | null;
}

/** Lists the tokens; a missing configuration folder is a ConfigError, not an empty list. */
export async function listTokens(configDir: string, stateDir: string, now: Date): Promise<TokenListing[]> {
  requireConfigFolder(configDir);
  const [file, usage] = await Promise.all([loadTokenFile(configDir), loadUsage(stateDir)]);
  return file.tokens.map((t) => ({
    name: t.name,
    scope: t.scope,
    created: t.created,
    expires: t.expires,
    expired: t.expires !== null && Date.parse(t.expires) <= now.getTime(),
    lastUsed: usage[t.name] ?? null,
  }));
}

export async function revokeToken(configDir: string, name: string): Promise<void> {
  const file = await loadTokenFile(configDir);
  if (!file.tokens.some((t) => t.name === name))
    throw new Error(`no token named "${name}" (see: unraid-mcp token list)`);
  await saveTokenFile(configDir, { ...file, tokens: file.tokens.filter((t) => t.name !== name) });
}

/** Changes a token's expiry (null = never). The secret and scope stay as they are. */
export async function setTokenExpiry(
  configDir: string,
  name: string,
  expires: Date | null,
): Promise<TokenRecord> {
  const file = await loadTokenFile(configDir);
  const token = file.tokens.find((t) => t.name === name);
  if (!token) throw new Error(`no token named "${name}" (see: unraid-mcp token list)`);
  const updated = { ...token, expires: expires ? expires.toISOString() : null };
  await saveTokenFile(configDir, {
    ...file,
    tokens: file.tokens.map((t) => (t.name === name ? updated : t)),
  });
  return updated;
}
