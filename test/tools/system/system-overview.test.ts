import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createHostReader } from '../../../server/backends/host/host-reader.js';
import { systemOverview } from '../../../server/tools/system/system-overview.js';
import { fixtureReader, tempDir } from '../../backends/host/testdata.js';
import { toolContext } from './harness.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('system_overview', () => {
  it('reports the demo server from testdata and matches its output schema', async () => {
    const out = await systemOverview.run({}, toolContext(fixtureReader('parity-check-running')));
    expect(systemOverview.output.parse(out)).toEqual(out);
    expect(out.unraid?.version).toBe('7.1.4');
    expect(out.hostname).toBe('Tower');
    expect(out.memory?.availableBytes).toBe(18923456 * 1024);
    expect(out.cpu?.perCore.map((c) => c.usagePercent)).toEqual([17.4, 16.4, 17.5, 16.4]);
    expect(out.temperatures.find((t) => t.sensor === 'Package id 0')).toMatchObject({
      chipLabel: 'CPU (coretemp)',
      celsius: 52,
      maxCelsius: 80,
      critCelsius: 100,
    });
    expect(out.temperatures.find((t) => t.chipLabel === 'NVMe (WD_BLACK SN770 1TB)')?.celsius).toBe(44.85);
    expect(out.fans.map((f) => f.rpm)).toEqual([1107, 812]);
  });

  it('works on a plain Linux host: Unraid fields null, CPU count from this machine', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const host = createHostReader({ procRoot: '/proc', sysRoot: '/sys', emhttpRoot: t.dir });
    const out = await systemOverview.run({}, toolContext(host));
    expect(systemOverview.output.parse(out)).toEqual(out);
    expect(out.unraid).toBeNull();
    expect(out.cpu?.logicalCores).toBe(os.cpus().length);
    expect(out.memory?.totalBytes).toBeGreaterThan(0);
  });

  it('rejects unknown arguments', () => {
    expect(() => systemOverview.input.parse({ verbose: true })).toThrow();
    expect(systemOverview.input.parse({})).toEqual({});
  });
});
