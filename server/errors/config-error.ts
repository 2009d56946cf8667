/** One problem in a configuration file, located by file and field so the owner can fix it. */
export interface ConfigProblem {
  file: string;
  field: string;
  message: string;
}

/** A configuration file could not be used. Carries every problem found, not just the first. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}: ${p.field}: ${p.message}`;
}
