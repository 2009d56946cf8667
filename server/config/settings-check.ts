import type { ConfigProblem } from '../errors/config-error.js';
import { CompiledPolicy, PolicyRulesError } from './policy/compile-policy.js';
import { POLICY_FILE } from './policy-file.js';
import type { PolicySettings } from './settings.js';
import type { ConfirmMode } from '../vocabulary.js';

/**
 * A tool as the settings need to know it. Passed in by whoever builds the store (the registry lives
 * in server/tools; config does not import it).
 */
export interface KnownTool {
  name: string;
  /** False for tools that only read (annotations.readOnlyHint). */
  writing: boolean;
  /** The tool's default confirmation mode. */
  confirm?: ConfirmMode;
}

/** The registry's tools in the shape the settings store takes. */
export function knownToolsOf(
  tools: ReadonlyArray<{ name: string; annotations: { readOnlyHint: boolean }; confirm?: ConfirmMode }>,
): KnownTool[] {
  return tools.map((t) => ({ name: t.name, writing: !t.annotations.readOnlyHint, confirm: t.confirm }));
}

const MAX_LISTED = 30;

/**
 * Checks what zod cannot: glob syntax and list sizes (by compiling the rules) and confirmation
 * overrides against the tool registry. Returns the compiled policy when there is no problem.
 */
export function checkPolicySettings(
  p: PolicySettings,
  knownTools: ReadonlyArray<KnownTool>,
  file = POLICY_FILE,
): { problems: ConfigProblem[]; policy: CompiledPolicy | null } {
  const problems: ConfigProblem[] = [];
  const byName = new Map(knownTools.map((t) => [t.name, t]));
  const names = [...byName.keys()].sort();
  const known =
    names.length > MAX_LISTED
      ? `${names.slice(0, MAX_LISTED).join(', ')}, … and ${names.length - MAX_LISTED} more`
      : names.join(', ');
  for (const [name, mode] of Object.entries(p.confirmModes)) {
    const tool = byName.get(name);
    if (!tool)
      problems.push({
        file,
        field: `confirmModes.${name}`,
        message: `unknown tool (known: ${known || 'none'})`,
      });
    else if (!tool.writing && mode !== 'none') {
      problems.push({
        file,
        field: `confirmModes.${name}`,
        message: `"${name}" only reads, so it never asks for confirmation: only "none" is allowed (got "${mode}")`,
      });
    }
  }
  let policy: CompiledPolicy | null = null;
  try {
    policy = CompiledPolicy.compile(p);
  } catch (err) {
    if (!(err instanceof PolicyRulesError)) throw err;
    problems.push(...err.problems.map((x) => ({ file, ...x })));
  }
  return { problems, policy: problems.length ? null : policy };
}

/**
 * Overrides that turn off or weaken a confirmation the tool asks for by default. Allowed — the owner
 * may relax anything — but worth showing and auditing.
 */
export function relaxedConfirmations(
  p: Pick<PolicySettings, 'confirmModes'>,
  knownTools: ReadonlyArray<KnownTool>,
): string[] {
  const strength: Record<ConfirmMode, number> = { none: 0, token: 1, approve: 2 };
  const out: string[] = [];
  for (const t of knownTools) {
    const mode = Object.hasOwn(p.confirmModes, t.name) ? p.confirmModes[t.name] : undefined;
    if (mode !== undefined && t.confirm !== undefined && strength[mode] < strength[t.confirm]) {
      out.push(`confirmModes.${t.name}: "${mode}" is weaker than the tool's default "${t.confirm}"`);
    }
  }
  return out;
}
