import { describe, expect, it } from 'vitest';
import { shapeResult } from '../../../server/mcp/pipeline/shape-result.js';
import { ToolError } from '../../../server/errors/tool-error.js';
import { testBigList, testEcho } from '../../helpers/test-tools.js';
import { nextStub, rejectionOf, testCall } from '../../helpers/pipeline-call.js';

const textOf = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

describe('shapeResult', () => {
  it('answers the output as structuredContent and the same JSON as text', async () => {
    const run = nextStub<unknown>(() => ({ message: 'hello', n: 3 }));
    const call = testCall(testEcho);
    const res = await shapeResult(run)(call);
    expect(run.calls[0]).toBe(call);
    expect(res).toEqual({
      structuredContent: { message: 'hello', n: 3 },
      content: [{ type: 'text', text: '{"message":"hello","n":3}' }],
    });
    expect(res.isError).toBeUndefined();
  });

  it("redacts secrets by key and by value, in both forms, without changing the tool's object", async () => {
    const output = {
      message: 'key AKIAABCDEFGHIJKLMNOP in the log',
      password: 'hunter2',
      env: ['DB_PASSWORD=s3cret', 'TZ=Europe/Berlin'],
      nested: { api_key: 'abc', url: 'https://user:pw@example.com/x' },
    };
    const res = await shapeResult(nextStub<unknown>(() => output))(testCall(testEcho));
    const expected = {
      message: 'key [REDACTED] in the log',
      password: '[REDACTED]',
      env: ['DB_PASSWORD=[REDACTED]', 'TZ=Europe/Berlin'],
      nested: { api_key: '[REDACTED]', url: 'https://user:[REDACTED]@example.com/x' },
    };
    expect(res.structuredContent).toEqual(expected);
    expect(JSON.parse(textOf(res))).toEqual(expected);
    expect(textOf(res)).not.toMatch(/hunter2|s3cret|AKIAABCDEFGHIJKLMNOP|:pw@/);
    expect(output.password).toBe('hunter2');
  });

  it("shortens the longest list to the call's response cap and marks the truncation", async () => {
    const items = Array.from({ length: 500 }, (_, i) => ({ i, pad: 'x'.repeat(80) }));
    const call = testCall(testBigList, { settings: { responseCapBytes: 4096 } });
    const res = await shapeResult(nextStub<unknown>(() => ({ host: 'tower', items })))(call);
    const data = res.structuredContent as {
      host: string;
      items: unknown[];
      truncated: { path: string; kept: number; total: number };
    };
    expect(Buffer.byteLength(textOf(res))).toBeLessThanOrEqual(4096);
    expect(data.host).toBe('tower');
    expect(data.truncated).toMatchObject({ path: 'items', total: 500 });
    expect(data.items).toHaveLength(data.truncated.kept);
    expect(data.truncated.kept).toBeGreaterThan(20);
    expect(JSON.parse(textOf(res))).toEqual(data);
  });

  it('caps after redacting: the size counted is the redacted one', async () => {
    // 40 secrets of 2000 characters each are 80 KB as the tool wrote them, but tiny once redacted.
    const secrets = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`token_${i}`, 'z'.repeat(2000)]),
    );
    const res = await shapeResult(nextStub<unknown>(() => secrets))(
      testCall(testEcho, { settings: { responseCapBytes: 4096 } }),
    );
    expect(res.structuredContent).toEqual(
      Object.fromEntries(Object.keys(secrets).map((k) => [k, '[REDACTED]'])),
    );
  });

  it('refuses with response_too_large when nothing can be shortened', async () => {
    const err = await rejectionOf(
      shapeResult(nextStub<unknown>(() => ({ blob: 'y'.repeat(10_000) })))(
        testCall(testEcho, { settings: { responseCapBytes: 4096 } }),
      ),
    );
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ code: 'response_too_large' });
    expect((err as Error).message).toContain('over the 4 KB response cap');
  });

  it("lets the run's failure through untouched", async () => {
    const boom = new ToolError('timeout', 'too slow');
    expect(
      await rejectionOf(shapeResult(nextStub<unknown>(() => Promise.reject(boom)))(testCall(testEcho))),
    ).toBe(boom);
  });
});
