import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../../server/errors/backend-unavailable-error.js';
import { systemDisks } from '../../../server/tools/system/system-disks.js';
import { fixtureReader } from '../../backends/host/testdata.js';
import { toolContext } from './harness.js';

describe('system_disks', () => {
  it('lists every slot, pool device and the boot device, and parses with its schema', async () => {
    const out = await systemDisks.run({}, toolContext(fixtureReader('unraid-7.3.2')));
    expect(systemDisks.output.parse(out)).toEqual(out);
    expect(out.disks.map((d) => d.name)).toEqual([
      'parity',
      'disk1',
      'disk2',
      'parity2',
      'boot_data',
      'cache',
      'raid',
      'raid2',
      'raid3',
      'flash',
    ]);
    expect(out.disks.find((d) => d.name === 'raid2')?.pool).toBe('raid');
  });

  it('filters by type but always lists pools', async () => {
    const ctx = toolContext(fixtureReader('zfs-pools'));
    const pools = await systemDisks.run({ type: 'pool' }, ctx);
    expect(pools.disks.map((d) => d.name)).toEqual(['boot_data', 'cache', 'tank', 'tank2', 'tank3', 'tank4']);
    expect(pools.pools.map((p) => p.name)).toEqual(['boot_data', 'cache', 'tank']);
    const data = await systemDisks.run({ type: 'data' }, ctx);
    expect(data.disks.map((d) => [d.name, d.temperatureC, d.spunDown])).toEqual([
      ['disk1', 36, false],
      ['disk2', null, true],
      ['disk3', 38, false],
    ]);
    expect((await systemDisks.run({ type: 'boot' }, ctx)).disks.map((d) => d.name)).toEqual(['flash']);
  });

  it('validates the type filter strictly', () => {
    expect(() => systemDisks.input.parse({ type: 'cache' })).toThrow();
    expect(() => systemDisks.input.parse({ type: 'data', extra: 1 })).toThrow();
    expect(systemDisks.input.parse({})).toEqual({});
  });

  it('fails with BackendUnavailableError when disks.ini is missing (7.3.1 capture has only var.ini)', async () => {
    const err = await systemDisks
      .run({}, toolContext(fixtureReader('unraid-7.3.1')))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/^emhttp state \(disks\.ini\) was not found/);
  });
});
