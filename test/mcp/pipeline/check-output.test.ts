import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkOutput } from '../../../server/mcp/pipeline/check-output.js';
import { ToolError } from '../../../server/errors/tool-error.js';
import { defineTool } from '../../../server/tools/define-tool.js';
import { testBadOutput, testEcho } from '../../helpers/test-tools.js';
import { loggedMessages, nextStub, rejectionOf, testCall } from '../../helpers/pipeline-call.js';

describe('checkOutput', () => {
  it("returns output that matches the tool's schema", async () => {
    const next = nextStub<unknown>(() => ({ message: 'hi' }));
    const call = testCall(testEcho);
    expect(await checkOutput(next)(call)).toEqual({ message: 'hi' });
    expect(next.calls[0]).toBe(call);
    expect(loggedMessages(call.env)).toEqual([]);
  });

  it('returns the parsed output: fields the schema does not declare are dropped', async () => {
    const out = await checkOutput(
      nextStub<unknown>(() => ({ message: 'hi', internalPath: '/var/lib/docker/x' })),
    )(testCall(testEcho));
    expect(out).toEqual({ message: 'hi' });
  });

  it("applies the schema's transforms and defaults", async () => {
    const tool = defineTool({
      ...testEcho,
      name: 'test_defaults',
      output: z.object({ message: z.string().trim(), count: z.number().default(0) }),
      run: async () => ({ message: '', count: 0 }),
    });
    expect(await checkOutput(nextStub<unknown>(() => ({ message: '  padded  ' })))(testCall(tool))).toEqual({
      message: 'padded',
      count: 0,
    });
  });

  it('turns a mismatch into a plain error (reported generically) and logs the issues', async () => {
    const call = testCall(testBadOutput);
    const err = await rejectionOf(checkOutput(nextStub<unknown>(() => ({ count: 'many' })))(call));
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ToolError);
    expect((err as Error).message).toBe('output schema mismatch');
    expect(loggedMessages(call.env)).toEqual(['tool output does not match its schema']);
    const line = JSON.parse(call.env.logLines[0] as string) as {
      tool: string;
      issues: Array<{ path: string[] }>;
    };
    expect(line.tool).toBe('test_bad_output');
    expect(line.issues.map((i) => i.path)).toEqual([['count']]);
  });

  it('refuses output that is not an object at all', async () => {
    expect(
      await rejectionOf(checkOutput(nextStub<unknown>(() => undefined))(testCall(testEcho))),
    ).toMatchObject({ message: 'output schema mismatch' });
  });

  it("lets the tool's own failure through untouched", async () => {
    const boom = new ToolError('not_found', 'gone');
    expect(
      await rejectionOf(checkOutput(nextStub<unknown>(() => Promise.reject(boom)))(testCall(testEcho))),
    ).toBe(boom);
  });
});
