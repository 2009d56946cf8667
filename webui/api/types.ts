/**
 * The admin API's answers as the page reads them (server/admin/routes/*.ts). Fields the sidecar adds
 * in newer versions are optional here, so the page degrades instead of breaking against an older one.
 */

export interface Problem {
  field: string;
  message: string;
}

export interface ClientInfo {
  name: string;
  version: string;
}

export interface StatusInfo {
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  mcp?: {
    serving: boolean;
    reason?: string;
    bind: string;
    port: number;
    /** UNRAID_MCP_HOST / UNRAID_MCP_PORT when the service was started with them: they win over BIND / PORT. */
    setByEnvironment?: string[];
    urls: Array<{ address: string; url: string }>;
    /** Plain HTTP on `port` (HTTP in unraid-mcp.cfg); absent from an older sidecar. */
    http?: { enabled: boolean };
    https?: HttpsInfo;
  };
  backends: Record<string, { up: boolean; reason?: string }>;
  sessions: { active: number; clients?: Array<ClientInfo & { token: string; sessions: number }> };
  calls?: { lastHour: number };
  pendingConfirmations: number;
  readOnly?: boolean;
  settings?: { valid: boolean; file?: string; problems: Problem[] };
  audit?: {
    ok: boolean;
    persistent: boolean;
    seq: number;
    lastError: string | null;
    unavailable: { since: string; message: string; refusedRecords: number } | null;
    incidents: Array<{ time: string; kind: string; message: string }>;
  };
  /** Where the audit log and pending approvals are kept: appdata while the array runs, else RAM and why. */
  storage?: { location: 'ram' | 'persistent'; problem: string | null; since: string };
}

/** The HTTPS listener: on with the WebGUI's certificates, or off and why (server/http/tls/). */
export interface HttpsInfo {
  enabled: boolean;
  serving: boolean;
  port: number;
  reason: string | null;
  /** selfSigned: clients must be told to trust it; named: false when no certificate names the host. */
  urls: Array<{ address: string; url: string; selfSigned: boolean; named: boolean }>;
  certificates: Array<{ file: string; selfSigned: boolean; subject: string; validTo: string }>;
  problems: Array<{ file: string; problem: string }>;
}

export type Scope = 'read' | 'operate' | 'admin';
export const SCOPES: ReadonlyArray<Scope> = ['read', 'operate', 'admin'];

export interface TokenListing {
  name: string;
  scope: Scope;
  created: string;
  expires: string | null;
  expired: boolean;
  lastUsed: string | null;
}

export interface CreatedToken {
  token: { name: string; scope: Scope; created: string; expires: string | null };
  secret: string;
}

export type ConfirmMode = 'none' | 'token' | 'approve';
export const CONFIRM_MODES: ReadonlyArray<ConfirmMode> = ['none', 'token', 'approve'];

export interface NameFilter {
  allow: string[];
  deny: string[];
}

export interface Settings {
  readOnly: boolean;
  toolsets: string[];
  allowedHosts: string[];
  confirmModes: Record<string, ConfirmMode>;
  filters: { containers: NameFilter; vms: NameFilter };
  protected: { containers: string[]; vms: string[] };
  /** The numeric settings (bytes, milliseconds, counts), and port/bind where the sidecar offers them. */
  [field: string]: unknown;
}

export interface SettingsDoc {
  settings: Settings;
  revision: string;
  problems: Problem[];
}

export interface ToolsInfo {
  toolsets: Array<{ id: string; title: string; description: string; enabled: boolean }>;
  tools: Array<{
    name: string;
    title?: string;
    toolset: string;
    scope: Scope;
    readOnly: boolean;
    confirm: { default: ConfirmMode; effective: ConfirmMode };
  }>;
}

export interface PreviewRow {
  name: string;
  allowed: boolean;
  rule: string | null;
  protected: boolean;
  protectedRule: string | null;
}

export interface FilterPreview {
  containers: PreviewRow[];
  vms: PreviewRow[];
  rules: Array<{ field: string; pattern: string; matches: string[] }>;
  sources?: Record<string, string>;
}

export interface Confirmation {
  id: string;
  createdAt: string;
  expiresAt: string;
  principal: string;
  client: ClientInfo | null;
  tool: string;
  target: { kind: string; id: string; name: string } | null;
  args: unknown;
  description: string;
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'used';
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
}

export interface AuditRecord {
  id: string;
  seq: number;
  time: string;
  stage: 'intent' | 'outcome' | 'event';
  principal: string;
  tool?: string;
  event?: string;
  client?: ClientInfo | null;
  target?: { kind: string; ref: string } | null;
  args?: unknown;
  details?: Record<string, unknown>;
  decision?: { allowed: boolean; rule: string | null };
  result?: { status: 'ok' | 'error'; code: string | null; message: string | null };
  durationMs?: number;
  [key: string]: unknown;
}

export interface AuditPage {
  records: AuditRecord[];
  nextCursor: string | null;
  /** False when the sidecar's scan budget ran out first: older records may still match. */
  complete?: boolean;
  scanned?: { bytes: number; until: string | null };
}

export interface VerifyReport {
  ok: boolean;
  records: number;
  files: number;
  firstSeq: number | null;
  lastSeq: number | null;
  incidents: Array<{ seq: number; time: string; event: string; message: string }>;
  problem: { file: string; line: number; seq: number | null; kind: string; message: string } | null;
}
