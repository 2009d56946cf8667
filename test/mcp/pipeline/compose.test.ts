import { describe, expect, it } from 'vitest';
import { compose } from '../../../server/mcp/pipeline/compose.js';
import type { Handler, Step, ToolCall } from '../../../server/mcp/pipeline/tool-call.js';
import { testEcho } from '../../helpers/test-tools.js';
import { testCall } from '../../helpers/pipeline-call.js';

/** A step that logs entering and leaving, around whatever it wraps. */
const logging =
  (name: string, log: string[]): Step<string> =>
  (next) =>
  async (call) => {
    log.push(`${name}>`);
    const out = await next(call);
    log.push(`<${name}`);
    return `${name}(${out})`;
  };

describe('compose', () => {
  it('wraps the inner handler in the steps, the first outermost: compose(a, b)(run) is a(b(run))', async () => {
    const log: string[] = [];
    const inner: Handler<string> = async () => {
      log.push('run');
      return 'x';
    };
    const handler = compose(logging('a', log), logging('b', log), logging('c', log))(inner);
    expect(await handler(testCall(testEcho))).toBe('a(b(c(x)))');
    expect(log).toEqual(['a>', 'b>', 'c>', 'run', '<c', '<b', '<a']);
  });

  it('with no steps is the inner handler itself', async () => {
    const inner: Handler<string> = async () => 'alone';
    expect(compose<string>()(inner)).toBe(inner);
  });

  it('passes the same call object from step to step, so what one step sets the next one reads', async () => {
    const seen: ToolCall[] = [];
    const setArgs: Step<string> = (next) => async (call) => {
      call.args = { set: 'by the first step' };
      return next(call);
    };
    const handler = compose(setArgs)(async (call) => {
      seen.push(call);
      return JSON.stringify(call.args);
    });
    const call = testCall(testEcho);
    expect(await handler(call)).toBe('{"set":"by the first step"}');
    expect(seen[0]).toBe(call);
  });

  it('lets a step stop the call: later steps and the inner handler never run, and the error reaches the outer steps', async () => {
    const log: string[] = [];
    const stop: Step<string> = () => async () => {
      log.push('stop');
      throw new Error('refused here');
    };
    const outer: Step<string> = (next) => async (call) => {
      try {
        return await next(call);
      } catch (err) {
        log.push(`outer caught: ${(err as Error).message}`);
        return 'recovered';
      }
    };
    const handler = compose(
      outer,
      stop,
      logging('later', log),
    )(async () => {
      log.push('run');
      return 'ran';
    });
    expect(await handler(testCall(testEcho))).toBe('recovered');
    expect(log).toEqual(['stop', 'outer caught: refused here']);
  });

  it('builds the chain once: composing does not call any step handler', () => {
    const built: string[] = [];
    const step =
      (name: string): Step<string> =>
      (next) => {
        built.push(name);
        return next;
      };
    const handler = compose(step('a'), step('b'))(async () => 'x');
    // Steps are applied innermost first (reduceRight), each exactly once, when composing.
    expect(built).toEqual(['b', 'a']);
    expect(typeof handler).toBe('function');
  });
});
