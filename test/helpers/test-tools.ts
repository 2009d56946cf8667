import { z } from 'zod';
import { defineTool, type AnyTool } from '../../server/tools/define-tool.js';
import { ToolError } from '../../server/errors/tool-error.js';

/** Tools that exist only in tests, to exercise the framework and safety layers without real backends. */
const readHints = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const writeHints = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };

export const testEcho = defineTool({
  name: 'test_echo',
  title: 'Echo',
  description: 'Returns its arguments.',
  toolset: 'system',
  scope: 'read',
  annotations: readHints,
  input: z.object({ message: z.string().max(200), password: z.string().optional() }).strict(),
  output: z.object({ message: z.string(), password: z.string().optional() }),
  run: async (args) => args,
});

export const testBigList = defineTool({
  name: 'test_big_list',
  title: 'Big list',
  description: 'Returns `count` items of about 100 bytes.',
  toolset: 'system',
  scope: 'read',
  annotations: readHints,
  input: z.object({ count: z.number().int().min(0).max(100_000) }).strict(),
  output: z.object({ host: z.string(), items: z.array(z.object({ i: z.number(), pad: z.string() })) }),
  run: async ({ count }) => ({ host: 'tower', items: Array.from({ length: count }, (_, i) => ({ i, pad: 'x'.repeat(80) })) }),
});

export const testSlow = defineTool({
  name: 'test_slow',
  title: 'Slow operation',
  description: 'Sends `steps` progress notifications `delayMs` apart; honours cancellation.',
  toolset: 'docker',
  scope: 'operate',
  annotations: writeHints,
  input: z.object({ steps: z.number().int().min(1).max(50), delayMs: z.number().int().min(0).max(10_000) }).strict(),
  output: z.object({ done: z.number() }),
  target: () => ({ kind: 'container', ref: 'slowpoke' }),
  run: async ({ steps, delayMs }, ctx) => {
    for (let i = 1; i <= steps; i++) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, delayMs);
        ctx.signal.addEventListener('abort', () => (clearTimeout(t), reject(new Error('aborted'))), { once: true });
      });
      await ctx.progress(i, steps, `step ${i} of ${steps}`);
    }
    return { done: steps };
  },
});

export const testAdminWrite = defineTool({
  name: 'test_admin_write',
  title: 'Destructive test action',
  description: 'Pretends to delete something.',
  toolset: 'system',
  scope: 'admin',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  input: z.object({ name: z.string() }).strict(),
  output: z.object({ deleted: z.string() }),
  target: ({ name }) => ({ kind: 'container', ref: name }),
  run: async ({ name }) => ({ deleted: name }),
});

export const testBroken = defineTool({
  name: 'test_broken',
  title: 'Broken',
  description: 'Throws an unexpected error that mentions a socket path, or a ToolError when asked.',
  toolset: 'system',
  scope: 'read',
  annotations: readHints,
  input: z.object({ typed: z.boolean().default(false) }).strict(),
  output: z.object({ never: z.string() }),
  run: async ({ typed }) => {
    if (typed) throw new ToolError('not_found', 'container "ghost" does not exist');
    throw new Error('connect ENOENT /var/run/docker.sock at Socket.internal (node:net:1)');
  },
});

export const testBadOutput = defineTool({
  name: 'test_bad_output',
  title: 'Bad output',
  description: 'Returns data that does not match its output schema.',
  toolset: 'system',
  scope: 'read',
  annotations: readHints,
  input: z.object({}).strict(),
  output: z.object({ count: z.number() }),
  run: async () => ({ count: 'many' }) as unknown as { count: number },
});

export const testTools: AnyTool[] = [testEcho, testBigList, testSlow, testAdminWrite, testBroken, testBadOutput];
