import { afterEach, describe, expect, it } from 'vitest';
import { createHostReader } from '../../../server/backends/host/host-reader.js';
import { BackendUnavailableError } from '../../../server/errors/backend-unavailable-error.js';
import { toToolResult } from '../../../server/errors/to-tool-result.js';
import { systemArrayStatus } from '../../../server/tools/system/system-array-status.js';
import { fixtureReader, tempDir } from '../../backends/host/testdata.js';
import { toolContext } from './harness.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('system_array_status', () => {
  it('reports the running parity check (percent, speed, ETA) and parses with its schema', async () => {
    const out = await systemArrayStatus.run({}, toolContext(fixtureReader('parity-check-running')));
    expect(systemArrayStatus.output.parse(out)).toEqual(out);
    expect(out.operation).toMatchObject({
      kind: 'parity_check',
      percent: 62.49,
      speedBytesPerSecond: 205914112,
      etaSeconds: 29146,
      paused: false,
      correcting: true,
    });
  });

  it('reports a paused check', async () => {
    const out = await systemArrayStatus.run({}, toolContext(fixtureReader('parity-check-paused')));
    expect(out.operation).toMatchObject({
      paused: true,
      percent: 26.25,
      speedBytesPerSecond: null,
      etaSeconds: null,
    });
  });

  it('reports the last check of the real 6.11 capture', async () => {
    const out = await systemArrayStatus.run({}, toolContext(fixtureReader('unraid-6.11')));
    expect(out.lastCheck).toMatchObject({
      finishedAt: '2020-04-14T00:00:56.000Z',
      durationSeconds: 3197,
      errors: 0,
      result: 'success',
    });
  });

  it('fails with BackendUnavailableError on a host without emhttp state; the model sees the plain message', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const host = createHostReader({ procRoot: '/proc', sysRoot: '/sys', emhttpRoot: t.dir });
    const err = await systemArrayStatus.run({}, toolContext(host)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    const result = toToolResult(err);
    expect(result.isError).toBe(true);
    const first = result.content[0];
    expect(first?.type).toBe('text');
    expect(first?.type === 'text' ? first.text : '').toMatch(
      /^emhttp state \(var\.ini\) was not found — this does not look like an Unraid server/,
    );
    expect(JSON.stringify(result)).not.toContain(t.dir);
  });
});
