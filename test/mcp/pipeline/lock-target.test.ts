import { describe, expect, it } from 'vitest';
import { lockTarget } from '../../../server/mcp/pipeline/lock-target.js';
import { compose } from '../../../server/mcp/pipeline/compose.js';
import { limitTime } from '../../../server/mcp/pipeline/limit-time.js';
import type { ToolCall } from '../../../server/mcp/pipeline/tool-call.js';
import type { ResolvedTarget } from '../../../server/vocabulary.js';
import { KeyedMutex } from '../../../server/util/keyed-mutex.js';
import type { ToolError } from '../../../server/errors/tool-error.js';
import { testEcho, testStart, testStop } from '../../helpers/test-tools.js';
import {
  PLEX,
  VAULT,
  WIN11,
  nextStub,
  sleep,
  testCall,
  testEnv,
  type TestEnv,
} from '../../helpers/pipeline-call.js';

/** A next that logs start and end around `ms` of work, and what the locks held meanwhile. */
function slowNext(log: string[], ms = 40) {
  return nextStub<unknown>(async (call: ToolCall) => {
    const who = String(call.args.who);
    log.push(`start ${who}`);
    await sleep(ms);
    log.push(`end ${who}`);
    return who;
  });
}

const writeOn = (env: TestEnv, resolved: ResolvedTarget | null, who: string, tool = testStart) =>
  testCall(tool, { env, args: { who }, resolved });

describe('lockTarget', () => {
  it('runs two writing calls on the same target one after the other, in arrival order', async () => {
    const env = testEnv();
    const log: string[] = [];
    const step = lockTarget(slowNext(log));
    const results = await Promise.all([
      step(writeOn(env, PLEX, 'a')),
      step(writeOn(env, PLEX, 'b', testStop)),
    ]);
    expect(results).toEqual(['a', 'b']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
    expect(env.locks.size).toBe(0);
  });

  it('locks on the resolved ID, so a name and an ID prefix for one container share the lock', async () => {
    const env = testEnv();
    const log: string[] = [];
    const step = lockTarget(slowNext(log));
    const byName = testCall(testStart, {
      env,
      args: { who: 'name' },
      resolved: PLEX,
      target: { kind: 'container', ref: 'plex', id: PLEX.id, name: 'plex' },
    });
    const byPrefix = testCall(testStart, {
      env,
      args: { who: 'prefix' },
      resolved: PLEX,
      target: { kind: 'container', ref: PLEX.id.slice(0, 6), id: PLEX.id, name: 'plex' },
    });
    await Promise.all([step(byName), step(byPrefix)]);
    expect(log).toEqual(['start name', 'end name', 'start prefix', 'end prefix']);
  });

  it('holds the lock under the key kind:id while next runs', async () => {
    const locks = new KeyedMutex();
    const seen: string[] = [];
    const original = locks.run.bind(locks);
    locks.run = (key, work) => (seen.push(key), original(key, work));
    const env = testEnv({ locks });
    let heldDuring = 0;
    await lockTarget(nextStub<unknown>(() => (heldDuring = locks.size)))(writeOn(env, WIN11, 'vm'));
    expect(seen).toEqual([`vm:${WIN11.id}`]);
    expect(heldDuring).toBe(1);
    expect(locks.size).toBe(0);
  });

  it('runs writing calls on different targets side by side', async () => {
    const env = testEnv();
    const log: string[] = [];
    const step = lockTarget(slowNext(log));
    await Promise.all([step(writeOn(env, PLEX, 'plex')), step(writeOn(env, VAULT, 'vault'))]);
    expect(new Set(log.slice(0, 2))).toEqual(new Set(['start plex', 'start vault']));
  });

  it('never locks for reads, even on a target a write holds', async () => {
    const env = testEnv();
    const log: string[] = [];
    const step = lockTarget(slowNext(log));
    const write = step(writeOn(env, PLEX, 'write'));
    const read = step(testCall(testEcho, { env, args: { who: 'read' }, resolved: PLEX }));
    await Promise.all([write, read]);
    // The read did not wait for the write's lock: both were under way together.
    expect(new Set(log.slice(0, 2))).toEqual(new Set(['start write', 'start read']));
    expect(env.locks.size).toBe(0);
  });

  it('takes no lock for a read on a resolved target', async () => {
    const env = testEnv();
    let heldDuring = -1;
    await lockTarget(nextStub<unknown>(() => (heldDuring = env.locks.size)))(
      testCall(testEcho, { env, args: { who: 'read' }, resolved: PLEX }),
    );
    expect(heldDuring).toBe(0);
  });

  it('does not lock a writing call without a resolved target', async () => {
    const env = testEnv();
    let heldDuring = -1;
    await lockTarget(nextStub<unknown>(() => (heldDuring = env.locks.size)))(writeOn(env, null, 'host'));
    expect(heldDuring).toBe(0);
  });

  it('passes the call on unchanged and returns what next returns', async () => {
    const call = writeOn(testEnv(), PLEX, 'x');
    const next = nextStub<unknown>(() => 'out');
    expect(await lockTarget(next)(call)).toBe('out');
    expect(next.calls[0]).toBe(call);
  });

  it('releases the lock when next fails, so the next writer goes on', async () => {
    const env = testEnv();
    const step = lockTarget(
      nextStub<unknown>(async (call) => {
        if (call.args.who === 'fails') throw new Error('failed');
        return 'ran';
      }),
    );
    const [failed, ran] = await Promise.allSettled([
      step(writeOn(env, PLEX, 'fails')),
      step(writeOn(env, PLEX, 'second')),
    ]);
    expect(failed).toMatchObject({ status: 'rejected', reason: { message: 'failed' } });
    expect(ran).toEqual({ status: 'fulfilled', value: 'ran' });
    expect(env.locks.size).toBe(0);
  });

  // limitTime answers at the deadline even when the tool ignores its aborted signal; the lock must
  // still be held until that work has ended, or a second change would overlap it.
  it('keeps a timed-out change that ignores its signal from overlapping the next change on the same target', async () => {
    const env = testEnv({ settings: { toolTimeoutMs: 30 } });
    const log: string[] = [];
    const handler = compose(lockTarget, limitTime)(slowNext(log, 120));
    const first = handler(writeOn(env, PLEX, 'first')).catch((err: unknown) => {
      log.push(`answer first: ${(err as ToolError).code}`);
    });
    const second = handler(writeOn(env, PLEX, 'second')).catch(() => {});
    await Promise.allSettled([first, second]);
    await sleep(300);
    // The caller hears "timeout" at the deadline, before the work ends; the next change waits for the work.
    expect(log).toEqual(['start first', 'answer first: timeout', 'end first', 'start second', 'end second']);
    expect(env.locks.size).toBe(0);
  });
});
