import type { CompiledPolicy, ResourceKind } from '../../config/policy/compile-policy.js';

/** One current container or VM as the rules would treat it. */
export interface PreviewRow {
  name: string;
  allowed: boolean;
  /** The deciding rule when denied (`deny:plex*`, `allow-list`); null when allowed. */
  rule: string | null;
  protected: boolean;
  /** `protected:label` or `protected:<pattern>` when protected; null otherwise. */
  protectedRule: string | null;
}

/** One pattern of one list and the current resources it matches (every match, not only the deciding one). */
export interface PreviewRule {
  /** `filters.containers.deny[3]` */
  field: string;
  pattern: string;
  matches: string[];
}

export interface FilterPreview {
  containers: PreviewRow[];
  vms: PreviewRow[];
  /** Every pattern of every list, in list order, with what it matches now (possibly nothing). */
  rules: PreviewRule[];
}

export interface PreviewInput {
  containers: ReadonlyArray<{ name: string; labels?: Readonly<Record<string, string>> }>;
  vms: ReadonlyArray<{ name: string }>;
}

/**
 * What the rules do to the resources that exist now, for the WebGUI: per resource allowed or denied
 * (with the rule) and protected or not, and per pattern which resources it matches. Compile the draft
 * rules with compilePolicy first, so the owner sees the effect before saving.
 */
export function previewFilters(policy: CompiledPolicy, input: PreviewInput): FilterPreview {
  const rules: PreviewRule[] = [];
  const ruleMap = new Map<string, PreviewRule>();
  const lists = (kind: ResourceKind) => {
    const key = kind === 'container' ? 'containers' : 'vms';
    return {
      allow: policy.rules.filters[key].allow,
      deny: policy.rules.filters[key].deny,
      protected: policy.rules.protected[key],
      key,
    };
  };
  for (const kind of ['container', 'vm'] as const) {
    const l = lists(kind);
    for (const list of ['allow', 'deny', 'protected'] as const) {
      const base = list === 'protected' ? `protected.${l.key}` : `filters.${l.key}.${list}`;
      l[list].forEach((pattern, i) => {
        const r: PreviewRule = { field: `${base}[${i}]`, pattern, matches: [] };
        rules.push(r);
        ruleMap.set(`${kind}:${list}:${i}`, r);
      });
    }
  }
  const row = (kind: ResourceKind, name: string, labels?: Readonly<Record<string, string>>): PreviewRow => {
    const e = policy.explain(kind, name, labels);
    for (const list of ['allow', 'deny', 'protected'] as const) {
      for (const i of e.matches[list]) ruleMap.get(`${kind}:${list}:${i}`)?.matches.push(name);
    }
    return {
      name,
      allowed: e.decision.allowed,
      rule: e.decision.allowed ? null : e.decision.rule,
      protected: e.protection.protected,
      protectedRule: e.protection.protected ? e.protection.rule : null,
    };
  };
  return {
    containers: input.containers.map((c) => row('container', c.name, c.labels)),
    vms: input.vms.map((v) => row('vm', v.name)),
    rules,
  };
}
