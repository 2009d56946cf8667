import { createHash } from 'node:crypto';
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
  /** When the session was opened, and when its last request arrived (ms since the epoch). */
  openedAt: number;
  lastActive: number;
  /** Tool calls made in this session. */
  calls: number;
  /** What decided the tool list this session was last shown (see toolListKey). */
  toolsKey: string;
}

/** What the owner sees of an open session (admin API, CLI). */
export interface SessionInfo {
  id: string;
  /** The hash prefix audit records and log lines name the session by (never the id itself). */
  tag: string;
  token: string;
  scope: string;
  /** The client's self-declared name and version from initialize: untrusted, bounded in length. */
  client: { name: string; version: string } | null;
  openedAt: number;
  lastActive: number;
  calls: number;
  /** Requests of this session still waiting for their answer; a session with none is idle. */
  inFlight: number;
}

/** Why a new session cannot be opened now: every session that counts against the limit is busy. */
export interface CapacityProblem {
  status: 429 | 503;
  message: string;
  retryAfterSeconds: number;
}

/**
 * How long a client refused for want of an idle session is told to wait. Calls are bounded by the
 * tool timeout (30 s by default) and most take well under a second, so a session frees up soon.
 */
export const BUSY_RETRY_AFTER_SECONDS = 5;

/** The name audit records and log lines give a session: a hash prefix, so the id itself (a bearer of the session) is never written down. */
export function sessionTag(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 16);
}

export interface SessionLimits {
  maxTotal: number;
  maxPerToken: number;
  idleMs: number;
}

/**
 * Open MCP sessions: bounded in total and per token, bound to the token that created them, and
 * closed when idle or when their token is revoked or expires.
 *
 * A 2025-era client that exits without DELETE leaves its session behind, so at a limit the least
 * recently used idle session (no request in flight) is closed to make room; a new session is refused
 * only when every session that counts against the limit is busy. The per-token limit is applied
 * first, so a token at its own limit only ever displaces its own sessions; at the total limit the
 * least recently used idle session of any token goes — one token can hold at most its per-token
 * limit, which bounds how many of the others' sessions it can displace.
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

  /**
   * Makes room for one more session of this token: closes the least recently used idle sessions
   * the limits require, or — when every candidate is busy — closes nothing and says why.
   */
  async makeRoom(tokenId: string): Promise<CapacityProblem | null> {
    const { close, problem } = this.displaced(tokenId, null);
    if (problem) return problem;
    await Promise.all(
      close.map((s) => this.close(s, 'least recently used idle session, closed to make room')),
    );
    return null;
  }

  add(session: Omit<Session, 'openedAt' | 'lastActive' | 'calls' | 'toolsKey'>): void {
    const now = this.now();
    this.sessions.set(session.id, {
      ...session,
      openedAt: now,
      lastActive: now,
      calls: 0,
      toolsKey: this.opts.toolsKey(session.who.current),
    });
    // Sessions opened side by side may all have found room before any was added: trim to the limits again.
    for (const s of this.displaced(session.tokenId, session.id).close)
      void this.close(s, 'least recently used idle session, closed to make room');
    this.opts.onCountChange(this.sessions.size);
    this.startSweeper();
  }

  /**
   * The idle sessions to close, least recently used first, so that this token fits its limit and
   * the total fits its own — with room for a new session, or (`added`) with that session counted.
   * A problem when busy sessions alone fill a limit.
   */
  private displaced(
    tokenId: string,
    added: string | null,
  ): { close: Session[]; problem: CapacityProblem | null } {
    const { maxTotal, maxPerToken } = this.opts.limits();
    const room = added === null ? 1 : 0;
    const idle = [...this.sessions.values()]
      .filter((s) => s.id !== added && !busy(s))
      .sort((a, b) => a.lastActive - b.lastActive);
    const close = new Set<Session>();
    let mine = 0;
    for (const s of this.sessions.values()) if (s.tokenId === tokenId) mine++;
    while (mine + room > maxPerToken) {
      const victim = idle.find((s) => s.tokenId === tokenId && !close.has(s));
      if (!victim)
        return {
          close: [...close],
          problem: {
            status: 429,
            message: `This token has ${mine} open sessions (limit ${maxPerToken}) and every one has a request in progress, so none was closed to make room. Try again in ${BUSY_RETRY_AFTER_SECONDS} seconds, or end sessions you no longer use (DELETE, or unraid-mcp sessions close).`,
            retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS,
          },
        };
      close.add(victim);
      mine--;
    }
    let total = this.sessions.size - close.size;
    while (total + room > maxTotal) {
      const victim = idle.find((s) => !close.has(s));
      if (!victim)
        return {
          close: [...close],
          problem: {
            status: 503,
            message: `The server has ${total} open sessions (limit ${maxTotal}) and every one has a request in progress, so none was closed to make room. Try again in ${BUSY_RETRY_AFTER_SECONDS} seconds.`,
            retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS,
          },
        };
      close.add(victim);
      total--;
    }
    return { close: [...close], problem: null };
  }

  /** Counts a tool call made in this session. */
  recordCall(s: Session): void {
    s.calls++;
  }

  /** Every open session, oldest first, as the owner sees it. */
  list(): SessionInfo[] {
    return [...this.sessions.values()].sort((a, b) => a.openedAt - b.openedAt).map(info);
  }

  /** Closes one session at the owner's request; null when there is no such session. */
  async closeById(id: string, why: string): Promise<SessionInfo | null> {
    const s = this.sessions.get(id);
    if (!s) return null;
    const seen = info(s);
    await this.close(s, why);
    return seen;
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
      // A session with a request in flight is not idle, however long the request takes (an approval may wait).
      if (s.lastActive < cutoff && !busy(s)) closing.push(this.close(s, 'idle'));
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

  /** Requests still open get the transport's "session closed" answer; the client's next request gets 404. */
  private async close(s: Session, why: string): Promise<void> {
    if (this.sessions.get(s.id) !== s) return;
    this.remove(s.id);
    this.opts.log.info('session closed', { principal: s.who.current.name, session: sessionTag(s.id), why });
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

function busy(s: Session): boolean {
  return s.transport.inFlight > 0;
}

function info(s: Session): SessionInfo {
  const client = s.server.getClientVersion();
  return {
    id: s.id,
    tag: sessionTag(s.id),
    token: s.who.current.name,
    scope: s.who.current.scope,
    client: client
      ? { name: String(client.name).slice(0, 100), version: String(client.version).slice(0, 50) }
      : null,
    openedAt: s.openedAt,
    lastActive: s.lastActive,
    calls: s.calls,
    inFlight: s.transport.inFlight,
  };
}
