import { protocolForm, protocolPatch } from './protocol-fields.js';

/**
 * The Settings view's number fields in the owner's units. The sidecar holds them in bytes or
 * milliseconds (its SettingsPatch); the form shows KiB, minutes, seconds. Ranges are the sidecar's
 * and only hint the input: the sidecar's answer is what decides, shown next to the field.
 */
export interface NumberField {
  field: string;
  label: string;
  unit: string;
  /** Sidecar value = form value × scale. */
  scale: number;
  min: number;
  max: number;
  group: 'Sessions' | 'Limits' | 'Confirmations' | 'Audit log';
}

export const NUMBER_FIELDS: ReadonlyArray<NumberField> = [
  {
    field: 'maxSessions',
    label: 'Sessions at most',
    unit: 'sessions',
    scale: 1,
    min: 1,
    max: 1000,
    group: 'Sessions',
  },
  {
    field: 'maxSessionsPerToken',
    label: 'Sessions per token',
    unit: 'sessions',
    scale: 1,
    min: 1,
    max: 1000,
    group: 'Sessions',
  },
  {
    field: 'sessionIdleMs',
    label: 'Idle session closes after',
    unit: 'minutes',
    scale: 60_000,
    min: 1,
    max: 1440,
    group: 'Sessions',
  },
  {
    field: 'responseCapBytes',
    label: 'Response size cap',
    unit: 'KiB',
    scale: 1024,
    min: 4,
    max: 1024,
    group: 'Limits',
  },
  {
    field: 'toolTimeoutMs',
    label: 'Tool timeout',
    unit: 'seconds',
    scale: 1000,
    min: 1,
    max: 3600,
    group: 'Limits',
  },
  {
    field: 'maxConcurrentCalls',
    label: 'Calls at once (all tokens)',
    unit: 'calls',
    scale: 1,
    min: 1,
    max: 1000,
    group: 'Limits',
  },
  {
    field: 'tokenCallsPerSecond',
    label: 'Calls per second per token',
    unit: 'calls/s',
    scale: 1,
    min: 1,
    max: 10_000,
    group: 'Limits',
  },
  {
    field: 'tokenCallBurst',
    label: 'Burst per token',
    unit: 'calls',
    scale: 1,
    min: 1,
    max: 100_000,
    group: 'Limits',
  },
  {
    field: 'confirmTokenTtlMs',
    label: 'Confirmation token valid for',
    unit: 'seconds',
    scale: 1000,
    min: 10,
    max: 3600,
    group: 'Confirmations',
  },
  {
    field: 'approvalWaitMs',
    label: 'A call waits for approval',
    unit: 'seconds',
    scale: 1000,
    min: 5,
    max: 1800,
    group: 'Confirmations',
  },
  {
    field: 'approvalExpiryMs',
    label: 'Pending approval expires after',
    unit: 'minutes',
    scale: 60_000,
    min: 1,
    max: 10_080,
    group: 'Confirmations',
  },
  {
    field: 'auditRetentionMs',
    label: 'Keep audit files for',
    unit: 'days',
    scale: 86_400_000,
    min: 1,
    max: 3650,
    group: 'Audit log',
  },
  {
    field: 'auditMinFreeBytes',
    label: 'Free space kept on its disk',
    unit: 'MiB',
    scale: 1024 * 1024,
    min: 0,
    max: 16_777_216,
    group: 'Audit log',
  },
];

/** Port and bind address, when the sidecar lets the page change them (else shown read-only from status). */
export const LISTENER_FIELDS = [
  { field: 'port', label: 'MCP port', env: 'UNRAID_MCP_PORT' },
  { field: 'bind', label: 'Listen on address', env: 'UNRAID_MCP_HOST' },
] as const;

export type FormValues = Record<string, string>;

/** The form's text for each field present in the sidecar's settings. */
export function toForm(settings: Record<string, unknown>): FormValues {
  const form: FormValues = {};
  for (const n of NUMBER_FIELDS) {
    const v = settings[n.field];
    if (typeof v === 'number') form[n.field] = String(v / n.scale);
  }
  for (const l of LISTENER_FIELDS) {
    const v = settings[l.field];
    if (typeof v === 'number' || typeof v === 'string') form[l.field] = String(v);
  }
  if (Array.isArray(settings.allowedHosts))
    form.allowedHosts = (settings.allowedHosts as string[]).join('\n');
  Object.assign(form, protocolForm(settings));
  return form;
}

export interface PatchResult {
  patch: Record<string, unknown>;
  /** Problems found before asking the sidecar (not a whole number). */
  problems: Array<{ field: string; message: string }>;
}

/** The changed fields as a settings patch in the sidecar's units. */
export function toPatch(form: FormValues, saved: FormValues): PatchResult {
  const patch: Record<string, unknown> = {};
  const problems: PatchResult['problems'] = [];
  for (const n of NUMBER_FIELDS) {
    const text = form[n.field]?.trim();
    if (text === undefined || text === saved[n.field]) continue;
    if (!/^\d+$/.test(text))
      problems.push({ field: n.field, message: `must be a whole number of ${n.unit}` });
    else patch[n.field] = Number(text) * n.scale;
  }
  const port = form.port?.trim();
  if (port !== undefined && port !== saved.port) {
    if (!/^\d+$/.test(port))
      problems.push({ field: 'port', message: 'must be a whole number from 1 to 65535' });
    else patch.port = Number(port);
  }
  if (form.bind !== undefined && form.bind.trim() !== saved.bind) patch.bind = form.bind.trim();
  if (form.allowedHosts !== undefined && form.allowedHosts !== saved.allowedHosts) {
    patch.allowedHosts = form.allowedHosts
      .split(/[\n,]/)
      .map((h) => h.trim())
      .filter(Boolean);
  }
  const protocol = protocolPatch(form, saved);
  Object.assign(patch, protocol.patch);
  problems.push(...protocol.problems);
  return { patch, problems };
}
