import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from '../log.js';
import type { SessionTransport } from './session-transport.js';

export interface Session {
  id: string;
  tokenId: string;
  principal: string;
  transport: SessionTransport;
  server: Server;
  lastActive: number;
}

export interface SessionLimits {
  maxTotal: number;
  maxPerToken: number;
  idleMs: number;
}

/**
 * Open MCP sessions: bounded in total and per token, bound to the token that created them, and
 * closed when idle or when their token is revoked or expires.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly opts: {
      limits: () => SessionLimits;
      isTokenLive: (tokenId: string) => boolean;
      log: Logger;
      onCountChange: (count: number) => void;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Why a new session for this token cannot be opened, or null. */
  capacityProblem(tokenId: string): { status: number; message: string } | null {
    const { maxTotal, maxPerToken } = this.opts.limits();
    let mine = 0;
    for (const s of this.sessions.values()) if (s.tokenId === tokenId) mine++;
    if (mine >= maxPerToken) {
      return {
        status: 429,
        message: `This token already has ${mine} open sessions (limit ${maxPerToken}). Close unused clients or end sessions with DELETE.`,
      };
    }
    if (this.sessions.size >= maxTotal)
      return {
        status: 503,
        message: `The server has reached its limit of ${maxTotal} open sessions. Try again later.`,
      };
    return null;
  }

  add(session: Omit<Session, 'lastActive'>): void {
    this.sessions.set(session.id, { ...session, lastActive: this.now() });
    this.opts.onCountChange(this.sessions.size);
    this.startSweeper();
  }

  /** The session if it exists and belongs to this token. Another token's session is "not found". */
  get(id: string, tokenId: string): Session | undefined {
    const s = this.sessions.get(id);
    if (!s || s.tokenId !== tokenId) return undefined;
    s.lastActive = this.now();
    return s;
  }

  remove(id: string): void {
    if (this.sessions.delete(id)) this.opts.onCountChange(this.sessions.size);
  }

  /** Closes idle sessions and sessions of tokens that were revoked or expired. */
  async sweep(): Promise<void> {
    const cutoff = this.now() - this.opts.limits().idleMs;
    const stale = [...this.sessions.values()].filter(
      (s) => s.lastActive < cutoff || !this.opts.isTokenLive(s.tokenId),
    );
    await Promise.all(
      stale.map((s) => this.close(s, s.lastActive < cutoff ? 'idle' : 'token revoked or expired')),
    );
  }

  async closeAll(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    await Promise.all([...this.sessions.values()].map((s) => this.close(s, 'shutdown')));
  }

  private async close(s: Session, why: string): Promise<void> {
    this.remove(s.id);
    this.opts.log.info('session closed', { principal: s.principal, why });
    await s.server.close().catch(() => {});
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    const every = Math.min(60_000, Math.max(1_000, this.opts.limits().idleMs / 4));
    this.sweeper = setInterval(() => void this.sweep(), every);
    this.sweeper.unref();
  }
}
