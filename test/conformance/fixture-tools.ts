import { z } from 'zod';
import { defineTool, type AnyTool } from '../../server/tools/define-tool.js';
import { ToolError } from '../../server/errors/tool-error.js';

/**
 * The three tools of the conformance suite's reference server that the sidecar's own tool framework
 * can express: plain results, tool errors and progress. With them the tools-call-simple-text,
 * tools-call-error and tools-call-with-progress scenarios exercise the real pipeline (validation,
 * scope, result shaping, error results, progress notifications) on both wires. The suite's other
 * fixture tools (images, audio, embedded resources, client logging, sampling, elicitation schemas,
 * input_required rounds, tasks) describe behaviour no unraid-mcp tool has; those scenarios are
 * listed as not applicable in conformance.test.ts.
 */
const readHints = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const noArgs = z.object({}).strict();

export const conformanceSimpleText = defineTool({
  name: 'test_simple_text',
  title: 'Simple text (conformance fixture)',
  description: 'Returns a fixed text.',
  toolset: 'system',
  scope: 'read',
  annotations: readHints,
  input: noArgs,
  output: z.object({ text: z.string() }),
  run: async () => ({ text: 'This is a simple text response for testing.' }),
});

export const conformanceErrorHandling = defineTool({
  name: 'test_error_handling',
  title: 'Always fails (conformance fixture)',
  description: 'Always fails with a tool error.',
  toolset: 'system',
  scope: 'read',
  annotations: readHints,
  input: noArgs,
  output: z.object({}),
  run: async () => {
    throw new ToolError('conformance_fixture', 'This tool intentionally returns an error for testing');
  },
});

export const conformanceWithProgress = defineTool({
  name: 'test_tool_with_progress',
  title: 'Reports progress (conformance fixture)',
  description: 'Reports progress 0, 50 and 100 of 100, about 50 ms apart.',
  toolset: 'system',
  scope: 'read',
  annotations: readHints,
  input: noArgs,
  output: z.object({ done: z.boolean() }),
  run: async (_args, ctx) => {
    for (const step of [0, 50, 100]) {
      if (step > 0) await new Promise((r) => setTimeout(r, 50));
      await ctx.progress(step, 100, `${step} of 100`);
    }
    return { done: true };
  },
});

export const conformanceFixtures: AnyTool[] = [
  conformanceSimpleText,
  conformanceErrorHandling,
  conformanceWithProgress,
];
