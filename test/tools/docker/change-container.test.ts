import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type Docker from 'dockerode';
import { testDocker } from '../../helpers/docker.js';
import {
  changeContainer,
  type ContainerChange,
} from '../../../server/tools/docker/shared/change-container.js';
import { changeState } from '../../../server/backends/docker/container-action.js';
import type { ToolContext, ToolDeps } from '../../../server/tools/context.js';
import { ConflictError } from '../../../server/errors/conflict-error.js';
import { NotFoundError } from '../../../server/errors/not-found-error.js';
import { ToolError } from '../../../server/errors/tool-error.js';

/**
 * The helper every container lifecycle tool runs on, called directly (no server, no wrapper) against
 * the suite's real dockerd: inspect → plan → act → read back, and each way out of it.
 */
const td = testDocker();
const ids: Record<string, string> = {};
const P = 'cc';

/** The context the wrapper would hand a tool, with the target it resolved. */
function ctxFor(name: string, signal: AbortSignal = new AbortController().signal): ToolContext {
  return {
    deps: { docker: async () => td.docker } as unknown as ToolDeps,
    signal,
    progress: async () => {},
    target: { kind: 'container', id: ids[name] as string, name, labels: {} },
    responseCapBytes: 1_000_000,
    visible: () => true,
    protectedBy: () => null,
  };
}
const stateOf = async (name: string) =>
  (await td.docker.getContainer(ids[name] as string).inspect()).State.Status;
const start: ContainerChange['plan'] = () => ({
  act: (c, signal) => c.start({ abortSignal: signal }),
  already: 'already running',
});

beforeAll(async () => {
  for (const n of [
    'idle',
    'conflict',
    'act',
    'race-start',
    'race-stop',
    'err409',
    'err404',
    'slow',
    'cancel',
    'target',
  ])
    ids[n] = await td.createContainer(`${P}-${n}`);
});
afterAll(async () => {
  await td.cleanup();
});

describe('changeContainer', () => {
  it('unchanged: the plan says so, nothing is called, changed false, the state as inspected', async () => {
    const act = vi.fn(async () => {});
    const done = vi.fn(() => 'done');
    const res = await changeContainer(ctxFor('idle'), 'ignored', {
      what: 'Testing container',
      plan: (before, name) =>
        before.State.Status === 'created'
          ? { unchanged: `Container "${name}" is ${before.State.Status}; nothing was done.` }
          : { act },
      done,
    });
    expect(res).toEqual({
      name: `${P}-idle`,
      id: ids['idle'],
      previousState: 'created',
      state: 'created',
      changed: false,
      message: `Container "${P}-idle" is created; nothing was done.`,
    });
    expect(act).not.toHaveBeenCalled();
    expect(done).not.toHaveBeenCalled();
    expect(await stateOf('idle')).toBe('created');
  });

  it('conflict: the ConflictError thrown by the plan reaches the caller and nothing is done', async () => {
    const act = vi.fn(async () => {});
    const run = changeContainer(ctxFor('conflict'), `${P}-conflict`, {
      what: 'Testing container',
      plan: (_before, name) => {
        throw new ConflictError(`Container "${name}" is in no state for this.`);
      },
      done: () => 'done',
    });
    await expect(run).rejects.toThrow(
      new ConflictError(`Container "${P}-conflict" is in no state for this.`),
    );
    expect(act).not.toHaveBeenCalled();
    expect(await stateOf('conflict')).toBe('created');
  });

  it('act: calls Docker on the resolved container and builds the message from the state read back', async () => {
    const seen: Docker.ContainerInspectInfo[] = [];
    const res = await changeContainer(ctxFor('act'), `${P}-act`, {
      what: 'Starting container',
      plan: start,
      done: (after, name) => {
        seen.push(after);
        return `Container "${name}" is ${after.State.Status} (running: ${after.State.Running}).`;
      },
    });
    expect(res).toEqual({
      name: `${P}-act`,
      id: ids['act'],
      previousState: 'created',
      state: 'running',
      changed: true,
      message: `Container "${P}-act" is running (running: true).`,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.Id).toBe(ids['act']);
    expect(await stateOf('act')).toBe('running');
  });

  it('acts on the target the wrapper resolved, not on the reference it was given', async () => {
    const res = await changeContainer(ctxFor('target'), `${P}-act`, {
      what: 'Starting container',
      plan: start,
      done: () => 'started',
    });
    expect(res).toMatchObject({ name: `${P}-target`, id: ids['target'], changed: true, state: 'running' });
  });

  it("Docker's 304 (the container got there between the inspect and the call): `already` makes it changed false", async () => {
    const res = await changeContainer(ctxFor('race-start'), `${P}-race-start`, {
      what: 'Starting container',
      plan: (before) => ({
        // Someone else starts it after our inspect: Docker answers our own start with 304.
        act: async (c, signal) => {
          await td.docker.getContainer(before.Id).start();
          return c.start({ abortSignal: signal });
        },
        already: 'already running',
      }),
      done: () => 'started',
    });
    // No second read: the result carries the state the inspect saw, as the tools always did.
    expect(res).toEqual({
      name: `${P}-race-start`,
      id: ids['race-start'],
      previousState: 'created',
      state: 'created',
      changed: false,
      message: 'already running',
    });
    expect(await stateOf('race-start')).toBe('running');
  });

  it("Docker's 304 without `already` counts as done: the state is read back, changed true", async () => {
    await td.docker.getContainer(ids['race-stop'] as string).start();
    const res = await changeContainer(ctxFor('race-stop'), `${P}-race-stop`, {
      what: 'Stopping container',
      plan: (before) => ({
        act: async (c, signal) => {
          await td.docker.getContainer(before.Id).stop({ t: 0 });
          return c.stop({ t: 0, abortSignal: signal });
        },
      }),
      done: (after) => `now ${after.State.Status}`,
    });
    expect(res).toEqual({
      name: `${P}-race-stop`,
      id: ids['race-stop'],
      previousState: 'running',
      state: 'exited',
      changed: true,
      message: 'now exited',
    });
  });

  it("Docker's refusals are named after `what` and the container: 409 → conflict", async () => {
    const run = changeContainer(ctxFor('err409'), `${P}-err409`, {
      what: 'Pausing container',
      plan: () => ({ act: (c, signal) => c.pause({ abortSignal: signal }) }),
      done: () => 'paused',
    });
    await expect(run).rejects.toBeInstanceOf(ConflictError);
    await expect(run).rejects.toThrow(new RegExp(`^Pausing container "${P}-err409": .*not running`));
  });

  it('… and 404 → not found, when the container is gone by the time the call comes', async () => {
    const run = changeContainer(ctxFor('err404'), `${P}-err404`, {
      what: 'Starting container',
      plan: (before) => ({
        act: async (c, signal) => {
          await td.docker.getContainer(before.Id).remove({ force: true });
          return c.start({ abortSignal: signal });
        },
        already: 'already running',
      }),
      done: () => 'started',
    });
    await expect(run).rejects.toBeInstanceOf(NotFoundError);
    await expect(run).rejects.toThrow(new RegExp(`^Starting container "${P}-err404": `));
  });

  it('a deadline that passes ends the call with its timeout message', async () => {
    let aborted = false;
    const run = changeContainer(ctxFor('slow'), `${P}-slow`, {
      what: 'Stopping container',
      plan: () => ({
        act: (_c, signal) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted'))), {
              once: true,
            });
          }),
        deadline: { seconds: 0.05, timeout: 'too slow', cancelled: 'cancelled' },
      }),
      done: () => 'stopped',
    });
    await expect(run).rejects.toThrow(new ToolError('timeout', 'too slow'));
    await expect(run).rejects.toMatchObject({ code: 'timeout' });
    expect(aborted).toBe(true);
  });

  it('a cancellation during a call with a deadline ends it with its cancelled message', async () => {
    const ctl = new AbortController();
    const run = changeContainer(ctxFor('cancel', ctl.signal), `${P}-cancel`, {
      what: 'Stopping container',
      plan: () => ({
        act: () => {
          ctl.abort();
          return new Promise(() => {});
        },
        deadline: { seconds: 30, timeout: 'too slow', cancelled: 'the call was cancelled' },
      }),
      done: () => 'stopped',
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled', message: 'the call was cancelled' });
  });
});

describe('changeState', () => {
  it('is true once the call succeeds', async () => {
    expect(await changeState('Starting container "x"', async () => {})).toBe(true);
  });

  it('is false, not an error, when Docker answers 304', async () => {
    expect(
      await changeState('Starting container "x"', () =>
        Promise.reject(Object.assign(new Error('not modified'), { statusCode: 304 })),
      ),
    ).toBe(false);
  });

  it('maps other Docker failures with the action in the message', async () => {
    const err = Object.assign(new Error('HTTP 409'), {
      statusCode: 409,
      json: { message: 'container is not running' },
    });
    await expect(changeState('Pausing container "x"', () => Promise.reject(err))).rejects.toThrow(
      new ConflictError('Pausing container "x": container is not running.'),
    );
  });
});
