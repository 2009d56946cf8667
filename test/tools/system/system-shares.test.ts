import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../../server/errors/backend-unavailable-error.js';
import { systemShares } from '../../../server/tools/system/system-shares.js';
import { fixtureReader } from '../../backends/host/testdata.js';
import { toolContext } from './harness.js';

describe('system_shares', () => {
  it('lists shares with allocation and pool use, and parses with its schema', async () => {
    const out = await systemShares.run({}, toolContext(fixtureReader('parity-check-running')));
    expect(systemShares.output.parse(out)).toEqual(out);
    expect(out.shares.map((s) => s.name)).toEqual([
      'appdata',
      'domains',
      'isos',
      'system',
      'media',
      'backups',
      'downloads',
    ]);
    expect(out.shares.find((s) => s.name === 'appdata')?.storage.description).toBe(
      "pool only — files stay on pool 'cache'; the mover does not touch this share",
    );
  });

  it('keeps share names with dots and emoji intact', async () => {
    const out = await systemShares.run({}, toolContext(fixtureReader('unraid-6.11')));
    expect(out.shares.map((s) => s.name)).toContain('system.with.🚀');
  });

  it('fails with BackendUnavailableError when shares.ini is missing', async () => {
    const err = await systemShares
      .run({}, toolContext(fixtureReader('unraid-7.3.2')))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/^emhttp state \(shares\.ini\) was not found/);
  });
});
