import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  confirmTable,
  envTable,
  firstSentence,
  replaceSection,
  toolTable,
} from '../../server/docs/readme-tables.js';
import { allTools } from '../../server/tools/index.js';

const README = resolve(import.meta.dirname, '../../README.md');

describe('README', () => {
  const readme = readFileSync(README, 'utf8');

  it('has the generated tool, confirmation and environment tables up to date (npm run docs)', () => {
    const sections: Array<[string, string]> = [
      ['tools', toolTable(allTools)],
      ['confirm', confirmTable(allTools)],
      ['env', envTable()],
    ];
    expect(sections.reduce((doc, [name, body]) => replaceSection(doc, name, body), readme)).toBe(readme);
  });

  it('gives each tool a whole first sentence, never cut inside "e.g." or "i.e."', () => {
    expect(firstSentence('Shows options (e.g. MTU) and peers. More here.')).toBe(
      'Shows options (e.g. MTU) and peers.',
    );
    expect(firstSentence('Lists it, i.e. all of them')).toBe('Lists it, i.e. all of them');
    for (const tool of allTools) {
      const sentence = firstSentence(tool.description);
      expect(sentence, tool.name).toMatch(/[.)]$/);
      expect(sentence, tool.name).not.toMatch(/\b(e\.g|i\.e)\.$/);
    }
  });

  it('states confirmation defaults only in the generated table, which lists every writing tool', () => {
    const bullet = /- \*\*Confirmations\*\*[\s\S]*?(?=\n- \*\*)/.exec(readme)?.[0] ?? '';
    expect(bullet).toContain('table below this list');
    expect(bullet).not.toMatch(/defaults:/);
    const table = /<!-- confirm:start -->([\s\S]*?)<!-- confirm:end -->/.exec(readme)?.[1] ?? '';
    for (const t of allTools.filter((tool) => !tool.annotations.readOnlyHint))
      expect(table).toContain(`| \`${t.name}\` | ${t.scope} | \`${t.confirm}\` |`);
  });

  it('opens with exactly two commands: the demo and the tests', () => {
    const firstBlock = /```(?:bash|sh)?\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock.trim().split('\n')).toEqual(['npm run demo', 'npm test']);
  });

  it('documents every CLI command', () => {
    for (const cmd of [
      'unraid-mcp serve',
      'unraid-mcp token create',
      'unraid-mcp token list',
      'unraid-mcp token revoke',
      'unraid-mcp config check',
    ]) {
      expect(readme).toContain(cmd);
    }
  });
});
