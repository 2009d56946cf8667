import { PatternList, prepareName, type PolicyProblem, type PreparedName } from './pattern-list.js';

/** The resources name rules apply to. */
export type ResourceKind = 'container' | 'vm';

/** Allow and deny globs for one kind. An empty allow list allows every name; deny always wins. */
export interface NameFilter {
  allow: ReadonlyArray<string>;
  deny: ReadonlyArray<string>;
}

/** The owner's name rules, as stored in policy.json (see server/config/policy-file.ts). */
export interface PolicyRules {
  filters: { containers: NameFilter; vms: NameFilter };
  protected: { containers: ReadonlyArray<string>; vms: ReadonlyArray<string> };
}

export type NameDecision = { allowed: true } | { allowed: false; rule: string; message: string };
export type ProtectionDecision = { protected: false } | { protected: true; rule: string; message: string };
/** Why a resource is protected: its label (containers only), or the protected list entry matching its name. */
export type ProtectedBy = { by: 'label' } | { by: 'list'; pattern: string };

/** Container label that protects a container regardless of the protected list. */
export const PROTECTED_LABEL = 'unraid-mcp.protected';
/** Label values that count as "on". Lenient on purpose: a label someone set should never be ignored. */
const LABEL_ON = new Set(['true', 'yes', '1', 'on']);

/** Invalid rules; every problem names its field (`filters.containers.deny[3]`). */
export class PolicyRulesError extends Error {
  override readonly name = 'PolicyRulesError';
  constructor(readonly problems: PolicyProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('\n'));
  }
}

const KEY = { container: 'containers', vm: 'vms' } as const;
const NOUN = { container: 'container', vm: 'VM' } as const;
const FILTER = { container: 'Docker filter', vm: 'VM filter' } as const;
const ALLOW_LIST = { container: 'Docker allow list', vm: 'VM allow list' } as const;
const q = (s: string) => JSON.stringify(s);

interface KindLists {
  allow: PatternList;
  deny: PatternList;
  protected: PatternList;
}

/**
 * Name rules compiled once per settings revision. Pure: no I/O, no clock. Every check normalises the
 * name (NFC; a container name's leading "/" as the Docker API reports it is dropped, since no
 * pattern can contain "/" and it must not let "/plex" slip past a "plex" deny rule).
 */
export class CompiledPolicy {
  private constructor(
    readonly rules: PolicyRules,
    private readonly lists: Record<ResourceKind, KindLists>,
  ) {}

  /** Compiles rules; throws PolicyRulesError listing every invalid pattern and oversized list. */
  static compile(rules: PolicyRules): CompiledPolicy {
    const problems: PolicyProblem[] = [];
    const kind = (k: ResourceKind): KindLists => ({
      allow: PatternList.compile(rules.filters[KEY[k]].allow, `filters.${KEY[k]}.allow`, problems),
      deny: PatternList.compile(rules.filters[KEY[k]].deny, `filters.${KEY[k]}.deny`, problems),
      protected: PatternList.compile(rules.protected[KEY[k]], `protected.${KEY[k]}`, problems),
    });
    const lists = { container: kind('container'), vm: kind('vm') };
    if (problems.length) throw new PolicyRulesError(problems);
    return new CompiledPolicy(rules, lists);
  }

  /** May an MCP client see and act on this resource at all? Deny wins over allow. */
  checkName(kind: ResourceKind, name: string): NameDecision {
    return this.decide(kind, this.prepare(kind, name));
  }

  /** For list tools: hide what checkName would refuse. */
  visible(kind: ResourceKind, name: string): boolean {
    return this.checkName(kind, name).allowed;
  }

  /** Protected resources are listed and readable but never stopped, restarted, paused, updated or removed. */
  isProtected(kind: ResourceKind, name: string, labels?: Readonly<Record<string, string>>): boolean {
    return this.checkProtected(kind, name, labels).protected;
  }

  checkProtected(
    kind: ResourceKind,
    name: string,
    labels?: Readonly<Record<string, string>>,
  ): ProtectionDecision {
    return this.protection(kind, this.prepare(kind, name), labels);
  }

  /** Why a resource is protected, with the same precedence as checkProtected; null when it is not. */
  protectedBy(
    kind: ResourceKind,
    name: string,
    labels?: Readonly<Record<string, string>>,
  ): ProtectedBy | null {
    if (labelOn(kind, labels)) return { by: 'label' };
    const listed = this.lists[kind].protected.firstMatch(this.prepare(kind, name));
    return listed === null ? null : { by: 'list', pattern: listed };
  }

  /** @internal for previewFilters: the deciding rules plus every matching pattern. */
  explain(kind: ResourceKind, name: string, labels?: Readonly<Record<string, string>>) {
    const prepared = this.prepare(kind, name);
    const l = this.lists[kind];
    return {
      decision: this.decide(kind, prepared),
      protection: this.protection(kind, prepared, labels),
      matches: {
        allow: l.allow.allMatches(prepared),
        deny: l.deny.allMatches(prepared),
        protected: l.protected.allMatches(prepared),
      },
    };
  }

  private prepare(kind: ResourceKind, name: string): PreparedName {
    return prepareName(kind === 'container' && name.startsWith('/') ? name.slice(1) : name);
  }

  private decide(kind: ResourceKind, name: PreparedName): NameDecision {
    const l = this.lists[kind];
    const denied = l.deny.firstMatch(name);
    if (denied !== null) {
      return {
        allowed: false,
        rule: `deny:${denied}`,
        message: `${NOUN[kind]} ${q(name.text)} is denied by the ${FILTER[kind]} ${q(denied)} — ask the owner to change the filters in Settings → unraid-mcp.`,
      };
    }
    if (l.allow.size > 0 && l.allow.firstMatch(name) === null) {
      return {
        allowed: false,
        rule: 'allow-list',
        message: `${NOUN[kind]} ${q(name.text)} is not on the ${ALLOW_LIST[kind]} — ask the owner to add it to the filters in Settings → unraid-mcp.`,
      };
    }
    return { allowed: true };
  }

  private protection(
    kind: ResourceKind,
    name: PreparedName,
    labels?: Readonly<Record<string, string>>,
  ): ProtectionDecision {
    const tail = 'unraid-mcp will not stop, restart, pause, update or remove it.';
    if (labelOn(kind, labels)) {
      return {
        protected: true,
        rule: 'protected:label',
        message: `${NOUN[kind]} ${q(name.text)} is protected (label ${PROTECTED_LABEL}=true): ${tail}`,
      };
    }
    const listed = this.lists[kind].protected.firstMatch(name);
    if (listed !== null) {
      return {
        protected: true,
        rule: `protected:${listed}`,
        message: `${NOUN[kind]} ${q(name.text)} is protected (protected list entry ${q(listed)}): ${tail} The owner can change the list in Settings → unraid-mcp.`,
      };
    }
    return { protected: false };
  }
}

/** True when a container carries the protection label with an "on" value. */
function labelOn(kind: ResourceKind, labels?: Readonly<Record<string, string>>): boolean {
  const label =
    kind === 'container' && labels && Object.hasOwn(labels, PROTECTED_LABEL)
      ? labels[PROTECTED_LABEL]
      : undefined;
  return typeof label === 'string' && LABEL_ON.has(label.trim().toLowerCase());
}

/** Same as CompiledPolicy.compile, as a function. */
export function compilePolicy(rules: PolicyRules): CompiledPolicy {
  return CompiledPolicy.compile(rules);
}
