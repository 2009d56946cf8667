import { z } from 'zod';
import { defineTool, type AnyTool } from '../../server/tools/define-tool.js';
import { ToolError } from '../../server/errors/tool-error.js';
import type { ToolContext } from '../../server/tools/context.js';
import { allTools } from '../../server/tools/index.js';
import type { Toolset } from '../../server/vocabulary.js';

/** The registry's tools of one toolset, in registry order. */
export const toolsOf = (toolset: Toolset): AnyTool[] => allTools.filter((t) => t.toolset === toolset);

/** Tools that exist only in tests, to exercise the framework and safety layers without real backends. */
const readHints = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const writeHints = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};

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
  run: async ({ count }) => ({
    host: 'tower',
    items: Array.from({ length: count }, (_, i) => ({ i, pad: 'x'.repeat(80) })),
  }),
});

export const testSlow = defineTool({
  name: 'test_slow',
  title: 'Slow operation',
  description: 'Sends `steps` progress notifications `delayMs` apart; honours cancellation.',
  toolset: 'docker',
  scope: 'operate',
  annotations: writeHints,
  input: z
    .object({ steps: z.number().int().min(1).max(50), delayMs: z.number().int().min(0).max(10_000) })
    .strict(),
  output: z.object({ done: z.number() }),
  target: () => ({ kind: 'container', ref: 'slowpoke' }),
  run: async ({ steps, delayMs }, ctx) => {
    for (let i = 1; i <= steps; i++) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, delayMs);
        ctx.signal.addEventListener('abort', () => (clearTimeout(t), reject(new Error('aborted'))), {
          once: true,
        });
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

export const testTools: AnyTool[] = [
  testEcho,
  testBigList,
  testSlow,
  testAdminWrite,
  testBroken,
  testBadOutput,
];

/** Test-only tools shaped like the Docker ones to come: each declares its target and confirmation default. */
const containerId = z.object({ id: z.string().max(200) }).strict();
const acted = z.object({ acted: z.string(), id: z.string() });
const actOn =
  (verb: string) =>
  async ({ id }: { id: string }, ctx: ToolContext) => {
    const info = await (await ctx.deps.docker()).getContainer(id).inspect();
    return { acted: `${verb} ${info.Name.replace(/^\//, '')}`, id: info.Id };
  };

export const testStart = defineTool({
  name: 'test_start',
  title: 'Start (test)',
  description: 'Pretends to start a container; a writing tool that needs no confirmation by default.',
  toolset: 'docker',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: containerId,
  output: acted,
  target: ({ id }) => ({ kind: 'container', ref: id }),
  run: actOn('started'),
});

export const testStop = defineTool({
  name: 'test_stop',
  title: 'Stop (test)',
  description:
    'Pretends to stop a container; token confirmation by default; refused on protected containers.',
  toolset: 'docker',
  scope: 'operate',
  confirm: 'token',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: containerId.extend({ timeout: z.number().int().min(0).max(600).default(10) }),
  output: acted,
  target: ({ id }) => ({ kind: 'container', ref: id }),
  describe: ({ id, timeout }, target) =>
    `Stop container "${target?.name ?? id}", killing it after ${timeout} s.`,
  run: actOn('stopped'),
});

export const testRemove = defineTool({
  name: 'test_remove',
  title: 'Remove (test)',
  description: 'Pretends to remove a container; owner approval by default; refused on protected containers.',
  toolset: 'docker',
  scope: 'admin',
  confirm: 'approve',
  refusesProtected: true,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  input: containerId,
  output: acted,
  target: ({ id }) => ({ kind: 'container', ref: id }),
  run: actOn('removed'),
});

export const testListContainers = defineTool({
  name: 'test_list_containers',
  title: 'List containers (test)',
  description: 'Lists container names, leaving out those the filters hide.',
  toolset: 'docker',
  scope: 'read',
  annotations: readHints,
  input: z.object({ prefix: z.string().max(50) }).strict(),
  output: z.object({ names: z.array(z.string()) }),
  run: async ({ prefix }, ctx) => {
    const list = await (await ctx.deps.docker()).listContainers({ all: true });
    const names = list
      .map((c) => (c.Names[0] ?? '').replace(/^\//, ''))
      .filter((n) => n.startsWith(prefix) && ctx.visible('container', n));
    return { names: names.sort() };
  },
});

export const safetyTools: AnyTool[] = [testStart, testStop, testRemove, testListContainers, testEcho];
