import { describe, expect, it } from 'vitest';
import { validateArgs } from '../../../server/mcp/pipeline/validate-args.js';
import { InvalidInputError } from '../../../server/errors/invalid-input-error.js';
import { testBadOutput, testBigList, testEcho, testStop } from '../../helpers/test-tools.js';
import { nextStub, refusalOf, testCall, unreachable } from '../../helpers/pipeline-call.js';

const ok = { content: [] };

describe('validateArgs', () => {
  it("hands next the parsed arguments, with the schema's defaults filled in", async () => {
    const next = nextStub(() => ok);
    const call = testCall(testStop, { request: { id: 'plex' } });
    expect(await validateArgs(next)(call)).toBe(ok);
    expect(next.calls[0]).toBe(call);
    expect(call.args).toEqual({ id: 'plex', timeout: 10 });
    expect(call.confirmationToken).toBeUndefined();
    expect(call.confirmationId).toBeUndefined();
  });

  it('takes the confirmation arguments aside: the tool never sees them, the confirm step does', async () => {
    const next = nextStub(() => ok);
    const call = testCall(testStop, {
      request: { id: 'plex', timeout: 5, confirmation_token: 'ct_abc', confirmation_id: 'pc_def' },
    });
    await validateArgs(next)(call);
    expect(call.args).toEqual({ id: 'plex', timeout: 5 });
    expect(call.confirmationToken).toBe('ct_abc');
    expect(call.confirmationId).toBe('pc_def');
    // The audit keeps the arguments as given, the token's value redacted by its key.
    expect(call.redactedArgs).toEqual({
      id: 'plex',
      timeout: 5,
      confirmation_token: '[REDACTED]',
      confirmation_id: 'pc_def',
    });
  });

  it('does not let the request object reach the tool: args is a fresh object', async () => {
    const request = { message: 'hi' };
    const call = testCall(testEcho, { request });
    await validateArgs(nextStub(() => ok))(call);
    expect(call.args).toEqual(request);
    expect(call.args).not.toBe(request);
  });

  it('refuses wrong types with rule invalid_arguments and metric invalid, naming the argument; next is not called', async () => {
    const next = unreachable();
    const call = testCall(testBigList, { request: { count: 'ten' } });
    const r = await refusalOf(validateArgs(next)(call));
    expect(r.decision).toEqual({ allowed: false, rule: 'invalid_arguments' });
    expect(r.metric).toBe('invalid');
    expect(r.error).toBeInstanceOf(InvalidInputError);
    expect((r.error as Error).message).toBe(
      'Invalid arguments for test_big_list: "count": Invalid input: expected number, received string',
    );
    expect(next.calls).toHaveLength(0);
    expect(call.args).toEqual({});
  });

  it('refuses unknown arguments (the schemas are strict)', async () => {
    const r = await refusalOf(
      validateArgs(unreachable())(testCall(testEcho, { request: { message: 'hi', extra: 1 } })),
    );
    expect(r.decision.rule).toBe('invalid_arguments');
    expect((r.error as Error).message).toBe(
      'Invalid arguments for test_echo: unknown argument "extra" (not in this tool\'s input schema)',
    );
  });

  it('refuses confirmation arguments on a read tool: only writing tools accept them', async () => {
    const r = await refusalOf(
      validateArgs(unreachable())(
        testCall(testEcho, { request: { message: 'hi', confirmation_token: 'ct_x' } }),
      ),
    );
    expect((r.error as Error).message).toContain('unknown argument "confirmation_token"');
  });

  it('refuses a confirmation token longer than the schema allows', async () => {
    const r = await refusalOf(
      validateArgs(unreachable())(
        testCall(testStop, { request: { id: 'plex', confirmation_token: 'x'.repeat(101) } }),
      ),
    );
    expect(r.decision.rule).toBe('invalid_arguments');
    expect((r.error as Error).message).toContain('"confirmation_token"');
  });

  it('treats missing arguments as an empty object', async () => {
    const next = nextStub(() => ok);
    const call = testCall(testBadOutput, { request: undefined });
    await validateArgs(next)(call);
    expect(next.calls).toHaveLength(1);
    expect(call.args).toEqual({});
    const r = await refusalOf(validateArgs(unreachable())(testCall(testEcho, { request: undefined })));
    expect((r.error as Error).message).toBe(
      'Invalid arguments for test_echo: "message": Invalid input: expected string, received undefined',
    );
  });

  it('refuses arguments that are not an object', async () => {
    const r = await refusalOf(
      validateArgs(unreachable())(testCall(testEcho, { request: ['message', 'hi'] })),
    );
    expect(r.decision.rule).toBe('invalid_arguments');
    expect(r.metric).toBe('invalid');
  });
});
