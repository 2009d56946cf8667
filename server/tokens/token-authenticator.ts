import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Scope } from '../vocabulary.js';
import type { Logger } from '../log.js';
import { ConfigError } from '../errors/config-error.js';
import { digestsEqual, hashSecret } from './token-secret.js';
import { parseTokenFile, TOKENS_FILE, type TokenRecord } from './token-file.js';
import { loadUsage, saveUsage } from './token-usage.js';

/** Who is calling: the token's label and scope. The secret never leaves the authenticator. */
export interface Principal {
  name: string;
  scope: Scope;
  /** Short, non-secret id of the token (hash prefix); sessions are bound to it. */
  tokenId: string;
}

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'unknown' | 'expired' | 'config'; message: string };

interface LoadedToken {
  record: TokenRecord;
  digest: Buffer;
  expiresMs: number | null;
}

/**
 * Checks bearer tokens against tokens.json and notices when the file changes (CLI or WebGUI edits)
 * without a restart: at most every `recheckMs` it stats the file and reloads it when size, mtime or
 * inode differ. A file that fails validation puts the authenticator in an error state in which every
 * request is refused — a corrupt token file must never mean "no authentication".
 */
export class TokenAuthenticator {
  private tokens: LoadedToken[] = [];
  private error: ConfigError | null = null;
  private fingerprint = '';
  private lastCheck = -Infinity;
  private usage: Record<string, string> = {};
  private usageDirty = false;
  private readonly path: string;

  constructor(
    private readonly opts: {
      configDir: string;
      stateDir: string;
      now: () => Date;
      log: Logger;
      recheckMs?: number;
    },
  ) {
    this.path = join(opts.configDir, TOKENS_FILE);
  }

  async init(): Promise<void> {
    this.usage = await loadUsage(this.opts.stateDir);
    this.reloadIfChanged(true);
  }

  /** The current problem with tokens.json, or null when it is usable. */
  configError(): ConfigError | null {
    this.reloadIfChanged(false);
    return this.error;
  }

  authenticate(secret: string): AuthResult {
    this.reloadIfChanged(false);
    if (this.error)
      return {
        ok: false,
        reason: 'config',
        message: `MCP is disabled until tokens.json is fixed: ${this.error.message}`,
      };
    const digest = hashSecret(secret);
    let match: LoadedToken | undefined;
    // Compare against every token so timing does not reveal how many or which were tried.
    for (const t of this.tokens) if (digestsEqual(t.digest, digest)) match = t;
    if (!match) return { ok: false, reason: 'unknown', message: 'invalid token' };
    const now = this.opts.now();
    if (match.expiresMs !== null && match.expiresMs <= now.getTime()) {
      return {
        ok: false,
        reason: 'expired',
        message: `token "${match.record.name}" expired at ${match.record.expires}`,
      };
    }
    this.usage[match.record.name] = now.toISOString();
    this.usageDirty = true;
    return { ok: true, principal: principalOf(match.record) };
  }

  /** True while a token with this id exists and has not expired (used to end sessions of revoked tokens). */
  isLive(tokenId: string): boolean {
    return this.principalOf(tokenId) !== null;
  }

  /** The token with this id as tokens.json says now (its scope may have changed), or null when revoked or expired. */
  principalOf(tokenId: string): Principal | null {
    this.reloadIfChanged(false);
    if (this.error) return null;
    const now = this.opts.now().getTime();
    const t = this.tokens.find(
      (t) => t.record.sha256.startsWith(tokenId) && (t.expiresMs === null || t.expiresMs > now),
    );
    return t ? principalOf(t.record) : null;
  }

  async flushUsage(): Promise<void> {
    if (!this.usageDirty) return;
    this.usageDirty = false;
    const names = new Set(this.tokens.map((t) => t.record.name));
    this.usage = Object.fromEntries(Object.entries(this.usage).filter(([n]) => names.has(n)));
    await saveUsage(this.opts.stateDir, this.usage).catch((err: unknown) => {
      this.opts.log.warn('could not save token last-used times', { err });
    });
  }

  private reloadIfChanged(force: boolean): void {
    const nowMs = Date.now();
    if (!force && nowMs - this.lastCheck < (this.opts.recheckMs ?? 250)) return;
    this.lastCheck = nowMs;
    let fingerprint: string;
    try {
      const st = statSync(this.path);
      fingerprint = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch (err) {
      fingerprint =
        (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `error:${(err as Error).message}`;
    }
    if (!force && fingerprint === this.fingerprint) return;
    this.fingerprint = fingerprint;
    try {
      const file =
        fingerprint === 'missing'
          ? { version: 1 as const, tokens: [] }
          : parseTokenFile(readFileSync(this.path, 'utf8'));
      this.tokens = file.tokens.map((record) => ({
        record,
        digest: Buffer.from(record.sha256, 'hex'),
        expiresMs: record.expires === null ? null : Date.parse(record.expires),
      }));
      if (this.error) this.opts.log.info('tokens.json is valid again; MCP re-enabled');
      this.error = null;
      this.opts.log.info('tokens loaded', { count: this.tokens.length });
    } catch (err) {
      this.error =
        err instanceof ConfigError
          ? err
          : new ConfigError([{ file: TOKENS_FILE, field: '(file)', message: (err as Error).message }]);
      this.tokens = [];
      this.opts.log.error('tokens.json is invalid; refusing all MCP requests until it is fixed', {
        problems: this.error.problems,
      });
    }
  }
}

function principalOf(record: TokenRecord): Principal {
  return { name: record.name, scope: record.scope, tokenId: record.sha256.slice(0, 16) };
}
