import type { Server } from '@modelcontextprotocol/server';
import type { Logger } from '../log.js';
import type { Principal } from '../tokens/token-authenticator.js';
import type { SessionTransport } from './session-transport.js';

/** Who a session acts for: its token as tokens.json says now (scope and name may change while it is open). */
export interface SessionPrincipal {
  current: Principal;
}

export interface Session {
  id: string;
  tokenId: string;
  who: SessionPrincipal;
  transport: SessionTransport;
  server: Server;
  lastActive: number;
  /** What decided the tool list this session was last shown (see toolListKey). */
  toolsKey: string;
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
      /** The token as it is now; null once it is revoked or expired. */
      currentPrincipal: (tokenId: string) => Principal | null;
      /** Changes whenever the tools a principal may see change (scope, read-only mode, toolsets). */
      toolsKey: (principal: Principal) => string;
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

  add(session: Omit<Session, 'lastActive' | 'toolsKey'>): void {
    this.sessions.set(session.id, {
      ...session,
      lastActive: this.now(),
      toolsKey: this.opts.toolsKey(session.who.current),
    });
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

  /**
   * Brings a session up to date with its token as it is now: calls and listings use the current
   * scope, and when the tools the session may see changed, the client is told to list them again
   * (notifications/tools/list_changed).
   */
  refresh(s: Session, principal: Principal): void {
    s.who.current = principal;
    const key = this.opts.toolsKey(principal);
    if (key === s.toolsKey) return;
    s.toolsKey = key;
    s.server.sendToolListChanged().catch(() => {});
  }

  /**
   * Closes idle sessions and sessions of tokens that were revoked or expired; brings the others up
   * to date with their token and the settings (so an idle client with an open stream hears of a
   * changed tool list too).
   */
  async sweep(): Promise<void> {
    const cutoff = this.now() - this.opts.limits().idleMs;
    const closing: Array<Promise<void>> = [];
    for (const s of [...this.sessions.values()]) {
      const principal = this.opts.currentPrincipal(s.tokenId);
      if (s.lastActive < cutoff) closing.push(this.close(s, 'idle'));
      else if (!principal) closing.push(this.close(s, 'token revoked or expired'));
      else this.refresh(s, principal);
    }
    await Promise.all(closing);
  }

  /** Closes every session (service shutdown), once the answers its calls already gave are sent. */
  async closeAll(answerGraceMs = 1_000): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    await Promise.all([...this.sessions.values()].map((s) => s.transport.answered(answerGraceMs)));
    await Promise.all([...this.sessions.values()].map((s) => this.close(s, 'shutdown')));
  }

  private async close(s: Session, why: string): Promise<void> {
    this.remove(s.id);
    this.opts.log.info('session closed', { principal: s.who.current.name, why });
    await s.server.close().catch(() => {});
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    // Often enough that a changed tool list reaches idle clients within seconds; cheap (no I/O).
    const every = Math.min(5_000, Math.max(1_000, this.opts.limits().idleMs / 4));
    this.sweeper = setInterval(() => void this.sweep(), every);
    this.sweeper.unref();
  }
}
