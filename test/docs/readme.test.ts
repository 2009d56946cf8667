import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { envTable, replaceSection, toolTable } from '../../server/docs/readme-tables.js';
import { allTools } from '../../server/tools/index.js';

const README = resolve(import.meta.dirname, '../../README.md');

describe('README', () => {
  const readme = readFileSync(README, 'utf8');

  it('has the generated tool and environment tables up to date (npm run docs)', () => {
    expect(replaceSection(replaceSection(readme, 'tools', toolTable(allTools)), 'env', envTable())).toBe(
      readme,
    );
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
