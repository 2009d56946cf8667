import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../../safety/audit/audit-record.js';
import type { CallEnv, ToolCall } from './tool-call.js';

/** The audit event that stands for a token's rate-limited calls. */
export const RATE_LIMITED_EVENT = 'calls.rate_limited';

/** Session tags listed in one summary; a token has a few sessions, a flood may open more. */
const MAX_SESSIONS_LISTED = 16;
/** Above this many tokens, the entries of tokens with nothing left to write are dropped. */
const PRUNE_ABOVE = 1000;

interface TokenSummary {
  principal: string;
  /** When this token's last summary was written (clock ms); the next one waits for the interval. */
  lastWritten: number;
  refused: number;
  first: string;
  last: string;
  tools: Map<string, number>;
  sessions: Set<string>;
  limit: { perSecond: number; burst: number };
  timer: NodeJS.Timeout | null;
}

/**
 * Calls refused by the rate limit are written to the audit log as summaries: one event per token per
 * interval (1 s) at most, with how many calls were refused, of which tools, from which sessions and
 * between when. The first refusal after a quiet interval is written at once; the ones after it wait
 * for the interval to end, so a token's flood costs the log one line a second instead of two records
 * per call (which is what would let a flood rotate the history away). Nothing is kept of each call
 * beyond the counts, so a waiting summary holds no arguments in memory.
 */
export class RateLimitSummaries {
  private readonly byToken = new Map<string, TokenSummary>();

  constructor(
    private readonly env: Pick<CallEnv, 'audit' | 'deps'>,
    private readonly intervalMs = 1000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * Notes one refused call. Resolves when the summary it was counted in is written, if that happens
   * now; at once when it will be written at the end of the interval.
   */
  note(call: ToolCall, limit: { perSecond: number; burst: number }): Promise<void> {
    const key = call.caller.principal.tokenId;
    let s = this.byToken.get(key);
    if (!s) {
      if (this.byToken.size >= PRUNE_ABOVE) this.prune();
      s = {
        principal: call.caller.principal.name,
        lastWritten: -Infinity,
        refused: 0,
        first: '',
        last: '',
        tools: new Map(),
        sessions: new Set(),
        limit,
        timer: null,
      };
      this.byToken.set(key, s);
    }
    const time = new Date(this.now()).toISOString();
    if (s.refused === 0) s.first = time;
    s.last = time;
    s.refused++;
    s.principal = call.caller.principal.name;
    s.limit = limit;
    s.tools.set(call.tool.name, (s.tools.get(call.tool.name) ?? 0) + 1);
    const session = call.caller.sessionTag;
    if (session !== null && s.sessions.size < MAX_SESSIONS_LISTED) s.sessions.add(session);
    if (s.timer) return Promise.resolve();
    const wait = s.lastWritten + this.intervalMs - this.now();
    if (wait <= 0) return this.write(s);
    s.timer = setTimeout(() => void this.write(s), wait);
    // A summary never keeps the process alive; at shutdown the last second's may be lost.
    s.timer.unref();
    return Promise.resolve();
  }

  /** Summaries waiting for their interval to end. */
  get waiting(): number {
    let n = 0;
    for (const s of this.byToken.values()) if (s.timer) n++;
    return n;
  }

  private async write(s: TokenSummary): Promise<void> {
    s.timer = null;
    const entry: AuditEvent = {
      id: randomUUID(),
      time: new Date(this.now()).toISOString(),
      stage: 'event',
      principal: s.principal,
      event: RATE_LIMITED_EVENT,
      details: {
        refused: s.refused,
        first: s.first,
        last: s.last,
        tools: Object.fromEntries(s.tools),
        sessions: [...s.sessions],
        limitPerSecond: s.limit.perSecond,
        burst: s.limit.burst,
      },
    };
    s.lastWritten = this.now();
    s.refused = 0;
    s.tools = new Map();
    s.sessions = new Set();
    try {
      await this.env.audit.append(entry, false);
    } catch (err) {
      this.env.deps.log.error('audit append failed', { event: RATE_LIMITED_EVENT, err });
    }
  }

  private prune(): void {
    const quiet = this.now() - this.intervalMs;
    for (const [key, s] of this.byToken) if (!s.timer && s.lastWritten < quiet) this.byToken.delete(key);
  }
}
