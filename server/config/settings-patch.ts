import { z } from 'zod';
import type { ConfigProblem } from '../errors/config-error.js';
import type { NameFilter } from './policy/compile-policy.js';
import { fieldPath, protoKeyPaths } from './field-path.js';
import { POLICY_FILE } from './policy-file.js';
import {
  NUMBER_SETTINGS,
  POLICY_FIELDS,
  SETTINGS_FILE,
  SERVICE_FIELDS,
  bindProblem,
  canonicalToolsets,
  hostProblem,
  type Settings,
} from './settings.js';
import { CONFIRM_MODES, TOOLSET_IDS, type ConfirmMode, type Toolset } from '../vocabulary.js';

/**
 * A change the admin API asks for, in memory units (bytes, milliseconds) and field names of Settings.
 * Objects merge (send only what changes); arrays replace the whole list; in `confirmModes` a null
 * removes the override so the tool's default applies again. Validated at run time, so the admin API
 * may pass a request body straight in.
 */
export interface SettingsPatch {
  port?: number;
  bind?: string;
  http?: boolean;
  https?: boolean;
  httpsPort?: number;
  readOnly?: boolean;
  toolsets?: ReadonlyArray<Toolset>;
  responseCapBytes?: number;
  maxSessions?: number;
  maxSessionsPerToken?: number;
  sessionIdleMs?: number;
  toolTimeoutMs?: number;
  allowedHosts?: ReadonlyArray<string>;
  confirmTokenTtlMs?: number;
  approvalWaitMs?: number;
  approvalExpiryMs?: number;
  auditRetentionMs?: number;
  auditMinFreeBytes?: number;
  tokenCallsPerSecond?: number;
  tokenCallBurst?: number;
  maxConcurrentCalls?: number;
  powerTools?: boolean;
  confirmModes?: Readonly<Record<string, ConfirmMode | null>>;
  filters?: { containers?: Partial<NameFilter>; vms?: Partial<NameFilter> };
  protected?: { containers?: ReadonlyArray<string>; vms?: ReadonlyArray<string> };
}

const inUnits = (v: number, scale: number, unit: string) =>
  scale === 1 ? String(v) : `${v * scale} (${v} ${unit})`;
const patterns = z.array(z.string());
const filterPatch = z.object({ allow: patterns, deny: patterns }).partial().strict();

const patchSchema = z
  .object({
    bind: z.string().superRefine((a, ctx) => {
      const problem = bindProblem(a);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    http: z.boolean(),
    https: z.boolean(),
    readOnly: z.boolean(),
    powerTools: z.boolean(),
    toolsets: z.array(
      z.enum(TOOLSET_IDS, {
        error: (i) => `unknown toolset ${JSON.stringify(i.input)} (known: ${TOOLSET_IDS.join(', ')})`,
      }),
    ),
    ...Object.fromEntries(
      NUMBER_SETTINGS.map((n) => [
        n.field,
        z
          .number()
          .int('must be a whole number')
          .refine((v) => v % n.scale === 0, `must be a whole number of ${n.unit} (a multiple of ${n.scale})`)
          .refine((v) => v >= n.min * n.scale, `must be at least ${inUnits(n.min, n.scale, n.unit)}`)
          .refine((v) => v <= n.max * n.scale, `must be at most ${inUnits(n.max, n.scale, n.unit)}`),
      ]),
    ),
    allowedHosts: z.array(
      z.string().superRefine((h, ctx) => {
        const problem = hostProblem(h);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    ),
    confirmModes: z.record(
      z.string(),
      z
        .enum(CONFIRM_MODES, {
          error: `must be one of ${CONFIRM_MODES.join(', ')}, or null to use the tool's default`,
        })
        .nullable(),
    ),
    filters: z.object({ containers: filterPatch, vms: filterPatch }).partial().strict(),
    protected: z.object({ containers: patterns, vms: patterns }).partial().strict(),
  })
  .partial()
  .strict();

/** The file a settings field is stored in, for ConfigProblem.file. */
export function fileOfField(top: string): string {
  if ((POLICY_FIELDS as ReadonlyArray<string>).includes(top)) return POLICY_FILE;
  if ((SERVICE_FIELDS as ReadonlyArray<string>).includes(top)) return SETTINGS_FILE;
  return 'settings';
}

/** Checks a patch's shape and field values; returns it typed, or every problem. */
export function parsePatch(
  patch: unknown,
): { ok: true; patch: SettingsPatch } | { ok: false; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = protoKeyPaths(patch).map((field) => ({
    file: fileOfField(field.split(/[.[]/)[0] as string),
    field,
    message: 'is not allowed as a key',
  }));
  const parsed = patchSchema.safeParse(patch);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      if (i.code === 'unrecognized_keys') {
        for (const k of i.keys) {
          const field = fieldPath([...i.path, k]);
          const known =
            i.path.length === 0 ? ` (known: ${[...SERVICE_FIELDS, ...POLICY_FIELDS].join(', ')})` : '';
          problems.push({
            file: fileOfField(String(i.path[0] ?? k)),
            field,
            message: `unknown setting${known}`,
          });
        }
      } else {
        problems.push({
          file: fileOfField(String(i.path[0] ?? '')),
          field: fieldPath(i.path),
          message: i.message,
        });
      }
    }
  }
  if (problems.length || !parsed.success) return { ok: false, problems };
  return { ok: true, patch: parsed.data };
}

/** The settings with a (parsed) patch applied. Never mutates `base`. */
export function applyPatch(base: Settings, p: SettingsPatch): Settings {
  const out: Settings = { ...base };
  const target = out as unknown as Record<string, unknown>;
  for (const f of SERVICE_FIELDS) if (p[f] !== undefined) target[f] = p[f];
  if (p.toolsets) out.toolsets = canonicalToolsets(p.toolsets);
  if (p.allowedHosts) out.allowedHosts = p.allowedHosts.map((h) => h.toLowerCase());
  if (p.confirmModes) {
    const modes: Record<string, ConfirmMode> = { ...base.confirmModes };
    for (const [tool, mode] of Object.entries(p.confirmModes)) {
      if (mode === null) delete modes[tool];
      else modes[tool] = mode;
    }
    out.confirmModes = modes;
  }
  if (p.filters) {
    out.filters = {
      containers: { ...base.filters.containers, ...p.filters.containers },
      vms: { ...base.filters.vms, ...p.filters.vms },
    };
  }
  if (p.protected) out.protected = { ...base.protected, ...p.protected };
  return out;
}

const sameList = (a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown>) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Field paths whose value differs (`readOnly`, `filters.containers.deny`, `confirmModes.docker_stop`). */
export function diffSettings(a: Settings, b: Settings): string[] {
  const changed: string[] = [];
  for (const f of SERVICE_FIELDS) {
    const x = a[f];
    const y = b[f];
    if (Array.isArray(x) && Array.isArray(y) ? !sameList(x, y) : x !== y) changed.push(f);
  }
  for (const kind of ['containers', 'vms'] as const) {
    for (const list of ['allow', 'deny'] as const) {
      if (!sameList(a.filters[kind][list], b.filters[kind][list])) changed.push(`filters.${kind}.${list}`);
    }
  }
  for (const kind of ['containers', 'vms'] as const)
    if (!sameList(a.protected[kind], b.protected[kind])) changed.push(`protected.${kind}`);
  const tools = [...new Set([...Object.keys(a.confirmModes), ...Object.keys(b.confirmModes)])].sort();
  for (const t of tools) {
    const x = Object.hasOwn(a.confirmModes, t) ? a.confirmModes[t] : undefined;
    const y = Object.hasOwn(b.confirmModes, t) ? b.confirmModes[t] : undefined;
    if (x !== y) changed.push(`confirmModes.${t}`);
  }
  return changed;
}
