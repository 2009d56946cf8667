import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = resolve(import.meta.dirname, '../..');
// The project's own eslint.config.js, only its layer rule, without type information (the snippets
// below are not files of the TypeScript project).
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: { languageOptions: { parserOptions: { project: null, projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'import/no-restricted-paths',
});

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

describe('the import layers (server/README.md)', () => {
  it.each([
    ['server/backends/docker/x.ts', "import { allTools } from '../../tools/index.js';", 'backends'],
    [
      'server/backends/vm/x.ts',
      "import type { CallEnv } from '../../mcp/pipeline/tool-call.js';",
      'backends',
    ],
    ['server/config/x.ts', "import { targetDenial } from '../safety/target-denial.js';", 'config'],
    ['server/safety/x.ts', "import type { Principal } from '../tokens/token-authenticator.js';", 'rules'],
    ['server/tools/vm/x.ts', "import { callTool } from '../../mcp/call-tool.js';", 'tools'],
    ['server/mcp/x.ts', "import { sendError } from '../http/lan-handler.js';", 'protocol'],
    ['server/util/x.ts', "import { Settings } from '../config/settings.js';", 'base'],
    ['server/vocabulary.ts', "export { allTools } from './tools/index.js';", 'base'],
  ])('%s may not do %s', async (file, code, layer) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^import/no-restricted-paths: .*is in the ${layer} layer`));
  });

  it.each([
    ['server/tools/docker/x.ts', "import { dockerCall } from '../../backends/docker/docker-errors.js';"],
    [
      'server/tools/docker/x.ts',
      "import { checkCreatePolicy } from '../../safety/create-policy/create-policy.js';",
    ],
    ['server/mcp/pipeline/x.ts', "import { whyUnavailable } from '../../safety/select-tools.js';"],
    ['server/backends/vm/x.ts', "import type { VmShares } from '../../config/vm-shares.js';"],
    ['server/http/x.ts', "import type { CallEnv } from '../mcp/pipeline/tool-call.js';"],
    ['server/service.ts', "import { allTools } from './tools/index.js';"],
  ])('%s may do %s', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
