import { z } from 'zod';
import { ConfigError } from '../errors/config-error.js';
import { fieldPath, protoKeyPaths } from './field-path.js';
import type { PolicySettings } from './settings.js';
import { CONFIRM_MODES } from '../vocabulary.js';

export const POLICY_FILE = 'policy.json';
export const POLICY_FILE_VERSION = 1;

/*
 * policy.json holds the structured rules that do not fit `KEY="value"` lines:
 *   { "version": 1,
 *     "filters": { "containers": { "allow": [], "deny": ["plex*"] }, "vms": { "allow": [], "deny": [] } },
 *     "protected": { "containers": ["db"], "vms": ["Windows 11 (Gaming)"] },
 *     "confirmModes": { "docker_remove": "approve" } }
 * Sections may be left out (they default to empty); unknown keys are errors. Patterns are only
 * checked for type here: glob syntax, list sizes and tool names are checked against the registry by
 * checkPolicySettings (settings-check.ts), which reports the same field paths.
 */
const patterns = z.array(z.string());
const filter = z.object({ allow: patterns.default([]), deny: patterns.default([]) }).strict();
const modes = z.record(
  z.string(),
  z.enum(CONFIRM_MODES, { error: `must be one of ${CONFIRM_MODES.join(', ')}` }),
);

const policyFileSchema = z
  .object({
    version: z.literal(POLICY_FILE_VERSION, {
      error: `must be ${POLICY_FILE_VERSION} (this version of unraid-mcp reads policy.json version ${POLICY_FILE_VERSION})`,
    }),
    filters: z
      .object({
        containers: filter.default({ allow: [], deny: [] }),
        vms: filter.default({ allow: [], deny: [] }),
      })
      .strict()
      .default({ containers: { allow: [], deny: [] }, vms: { allow: [], deny: [] } }),
    protected: z
      .object({ containers: patterns.default([]), vms: patterns.default([]) })
      .strict()
      .default({ containers: [], vms: [] }),
    confirmModes: modes.default({}),
  })
  .strict();

/** Parses policy.json text; every problem is reported with its field. Throws ConfigError. */
export function parsePolicyFile(text: string, file = POLICY_FILE): PolicySettings {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([
      {
        file,
        field: '(file)',
        message: `is not valid JSON (${(err as Error).message}); restore it from a backup or fix it by hand`,
      },
    ]);
  }
  const proto = protoKeyPaths(json).map((field) => ({ file, field, message: 'is not allowed as a key' }));
  const parsed = policyFileSchema.safeParse(json);
  if (!parsed.success || proto.length) {
    const issues = parsed.success ? [] : parsed.error.issues;
    throw new ConfigError([
      ...proto,
      ...issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ file, field: fieldPath([...i.path, k]), message: 'unknown key' }))
          : [{ file, field: fieldPath(i.path), message: i.message }],
      ),
    ]);
  }
  const { filters, protected: prot, confirmModes } = parsed.data;
  return { filters, protected: prot, confirmModes };
}

/** Canonical text (stable key order, tools sorted) so equal settings always give equal bytes. */
export function serializePolicyFile(p: PolicySettings): string {
  const modesSorted = Object.fromEntries(
    Object.entries(p.confirmModes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const doc = {
    version: POLICY_FILE_VERSION,
    filters: {
      containers: { allow: p.filters.containers.allow, deny: p.filters.containers.deny },
      vms: { allow: p.filters.vms.allow, deny: p.filters.vms.deny },
    },
    protected: { containers: p.protected.containers, vms: p.protected.vms },
    confirmModes: modesSorted,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
