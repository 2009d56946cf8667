import type { Problem } from './api/types.js';

/**
 * The sidecar's field errors that belong to one form field: the field itself and its elements
 * (`filters.containers.deny` gets `filters.containers.deny[3]`, said as "line 4").
 */
export function problemsFor(problems: ReadonlyArray<Problem>, field: string): string | null {
  const found: string[] = [];
  for (const p of problems) {
    if (p.field === field) found.push(p.message);
    else if (p.field.startsWith(`${field}[`)) {
      const index = /^\[(\d+)\]/.exec(p.field.slice(field.length));
      found.push(index ? `line ${Number(index[1]) + 1}: ${p.message}` : p.message);
    } else if (p.field.startsWith(`${field}.`))
      found.push(`${p.field.slice(field.length + 1)}: ${p.message}`);
  }
  return found.length ? found.join('; ') : null;
}

/** Problems no field of the form shows: said above the form so none is lost. */
export function otherProblems(problems: ReadonlyArray<Problem>, fields: ReadonlyArray<string>): Problem[] {
  return problems.filter(
    (p) => !fields.some((f) => p.field === f || p.field.startsWith(`${f}[`) || p.field.startsWith(`${f}.`)),
  );
}

/** One pattern or host per line (commas also separate hosts); blank lines dropped. */
export function linesOf(text: string, separators: RegExp = /\n/): string[] {
  return text
    .split(separators)
    .map((s) => s.trim())
    .filter(Boolean);
}
