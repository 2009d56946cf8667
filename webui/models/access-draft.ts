import type { ConfirmMode, Settings } from '../api/types.js';

/** The six pattern lists of the Access view, one textarea each, keyed by their settings field. */
export const PATTERN_FIELDS = [
  { field: 'filters.containers.allow', kind: 'containers', label: 'Containers: allow only' },
  { field: 'filters.containers.deny', kind: 'containers', label: 'Containers: deny' },
  { field: 'protected.containers', kind: 'containers', label: 'Containers: protected' },
  { field: 'filters.vms.allow', kind: 'vms', label: 'VMs: allow only' },
  { field: 'filters.vms.deny', kind: 'vms', label: 'VMs: deny' },
  { field: 'protected.vms', kind: 'vms', label: 'VMs: protected' },
] as const;

export type PatternField = (typeof PATTERN_FIELDS)[number]['field'];

/** What the owner is editing: text as typed (one pattern per line), switched toolsets, mode overrides. */
export interface AccessDraft {
  readOnly: boolean;
  toolsets: string[];
  /** Overrides only; a tool absent here uses its default mode. */
  confirmModes: Record<string, ConfirmMode>;
  patterns: Record<PatternField, string>;
}

export function draftFrom(s: Settings): AccessDraft {
  return {
    readOnly: s.readOnly,
    toolsets: [...s.toolsets],
    confirmModes: { ...s.confirmModes },
    patterns: {
      'filters.containers.allow': s.filters.containers.allow.join('\n'),
      'filters.containers.deny': s.filters.containers.deny.join('\n'),
      'protected.containers': s.protected.containers.join('\n'),
      'filters.vms.allow': s.filters.vms.allow.join('\n'),
      'filters.vms.deny': s.filters.vms.deny.join('\n'),
      'protected.vms': s.protected.vms.join('\n'),
    },
  };
}

/**
 * One pattern per line. Blank lines are dropped but other whitespace is kept as typed, so a line
 * number the sidecar reports (`deny[2]` = line 3 once blanks are gone) is checked against what it saw.
 */
export function patternsOf(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** The body of POST /filters/preview, and the rule part of the settings patch. */
export function rulesOf(d: AccessDraft) {
  const p = (f: PatternField) => patternsOf(d.patterns[f]);
  return {
    filters: {
      containers: { allow: p('filters.containers.allow'), deny: p('filters.containers.deny') },
      vms: { allow: p('filters.vms.allow'), deny: p('filters.vms.deny') },
    },
    protected: { containers: p('protected.containers'), vms: p('protected.vms') },
  };
}

/** The settings patch that saves the draft; a removed override is sent as null (back to the default). */
export function accessPatch(d: AccessDraft, saved: Settings): Record<string, unknown> {
  const confirmModes: Record<string, ConfirmMode | null> = { ...d.confirmModes };
  for (const tool of Object.keys(saved.confirmModes))
    if (!(tool in d.confirmModes)) confirmModes[tool] = null;
  return { readOnly: d.readOnly, toolsets: d.toolsets, confirmModes, ...rulesOf(d) };
}
