import type { BackendProbe } from '../backends/backend-probe.js';
import type { SessionRegistry } from '../mcp/session-registry.js';
import type { PendingApprovals } from '../safety/confirm/pending-approvals.js';
import type { Actor } from './actor.js';

/** What the admin API works with; built in service.ts. */
export interface AdminDeps {
  version: string;
  startedAt: Date;
  configDir: string;
  stateDir: string;
  probes: ReadonlyArray<BackendProbe>;
  sessions: SessionRegistry;
  pending: PendingApprovals;
  now: () => Date;
  /** Where the MCP endpoint listens, and why it refuses every call right now (null: it serves). */
  mcp: {
    host: string;
    port: () => number;
    /** Environment variables that override BIND / PORT for this process (the page says so). */
    fromEnvironment: ReadonlyArray<string>;
    /** Plain HTTP is on (HTTP in unraid-mcp.cfg). */
    http: boolean;
    /** The HTTPS listener now: whether it serves, with which certificates, or why not. */
    https: () => HttpsStatus;
    notServing: () => string | null;
  };
  /** Tool calls in the last hour, whatever their outcome. */
  callsLastHour: () => number;
  /** Writes an audit event for an owner action (principal = actor) and resolves once it is durable. */
  recordEvent: (actor: Actor, event: string, details: Record<string, unknown>) => Promise<void>;
}

/** What the HTTPS listener reports (http/tls/tls-listener.ts's HttpsState). */
export interface HttpsStatus {
  enabled: boolean;
  serving: boolean;
  port: number;
  reason: string | null;
  certificates: ReadonlyArray<{
    file: string;
    selfSigned: boolean;
    subject: string;
    issuer: string;
    names: ReadonlyArray<string>;
    hosts: ReadonlyArray<string>;
    validFrom: string;
    validTo: string;
    serial: string;
  }>;
  problems: ReadonlyArray<{ file: string; problem: string }>;
}
