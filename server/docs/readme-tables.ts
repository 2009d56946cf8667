import { ENV_DOCS } from '../config/env.js';
import type { AnyTool } from '../tools/define-tool.js';

/**
 * The README's generated sections: the tool and confirmation tables from the registry and the
 * environment table from ENV_DOCS. `npm run docs` writes them; a test fails when the README is out of date.
 */
export function toolTable(tools: ReadonlyArray<AnyTool>): string {
  const rows = tools.map((t) => {
    const effect = t.annotations.readOnlyHint
      ? 'read-only'
      : t.annotations.destructiveHint
        ? 'destructive'
        : 'changes state';
    return `| \`${t.name}\` | ${t.toolset} | ${t.scope} | ${effect} | ${firstSentence(t.description)} |`;
  });
  return [
    '| Tool | Toolset | Scope | Effect | What it does |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/**
 * Every writing tool's default confirmation, as the tool declares it (the owner overrides it per tool
 * with `confirmModes` in policy.json), and whether it is refused on protected containers and VMs.
 * Generated so the security model can never promise a default the code does not have.
 */
export function confirmTable(tools: ReadonlyArray<AnyTool>): string {
  const rows = tools
    .filter((t) => !t.annotations.readOnlyHint)
    .map(
      (t) =>
        `| \`${t.name}\` | ${t.scope} | \`${t.confirm ?? 'none'}\` | ${t.refusesProtected ? 'yes' : 'no'} |`,
    );
  return [
    '| Tool | Scope | Default confirmation | Refused on protected |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export function envTable(): string {
  const rows = ENV_DOCS.map(
    (e) =>
      `| \`${e.name}\` | ${e.default.startsWith('/') || /^\d/.test(e.default) ? `\`${e.default}\`` : e.default} | ${e.meaning} |`,
  );
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/**
 * The description's first sentence: up to a full stop followed by a capital letter or the end —
 * never inside "e.g." or "i.e.", which would cut the row mid-sentence.
 */
export function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = /(?<!\b(?:e\.g|i\.e|etc|vs))\.(?=\s+[A-Z`"(]|$)/.exec(flat);
  return (end ? flat.slice(0, end.index + 1) : flat).replace(/\|/g, '\\|');
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceSection(doc: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i === -1 || j < i) throw new Error(`README has no ${start} … ${end} section`);
  return doc.slice(0, i + start.length) + '\n' + body + '\n' + doc.slice(j);
}
