import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../../server/errors/backend-unavailable-error.js';
import { createEmhttpFiles } from '../../../server/backends/host/emhttp-files.js';
import { readVar } from '../../../server/backends/host/var-ini.js';
import { copyOf, emhttpDir, FIXTURE_SETS, tempDir } from './testdata.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('emhttp files', () => {
  it.each(FIXTURE_SETS)('%s: var.ini is parsed without csrf_token', async (set) => {
    const ini = await createEmhttpFiles(emhttpDir(set)).require('var.ini');
    expect(ini.global.has('csrf_token')).toBe(false);
    expect(ini.global.has('mdState')).toBe(true);
  });

  it('reads typed var.ini fields from the real 7.3.1 capture', async () => {
    const v = readVar(await createEmhttpFiles(emhttpDir('unraid-7.3.1')).require('var.ini'));
    expect(v).toMatchObject({
      version: '7.3.1',
      serverName: 'Cube',
      mdState: 'STARTED',
      mdNumDisks: 5,
      mdResyncSize: 15625879500,
      sbSyncExit: -4,
    });
  });

  it('re-reads a file after it changes (the array state moves on) and reuses the parse while it does not', async () => {
    const t = await copyOf('emhttp/unraid-6.11');
    cleanup = t.cleanup;
    const files = createEmhttpFiles(t.dir);
    const first = await files.require('var.ini');
    expect(await files.require('var.ini')).toBe(first);
    const text = await readFile(join(t.dir, 'var.ini'), 'utf8');
    await writeFile(
      join(t.dir, 'var.ini'),
      text.replace('mdState="STOPPED"', 'mdState="STARTED"').replace('Autostart disabled', ''),
    );
    const second = await files.require('var.ini');
    expect(second.global.get('mdState')).toBe('STARTED');
  });

  it('read() returns null for a missing file; require() throws BackendUnavailableError without paths', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const files = createEmhttpFiles(t.dir);
    expect(await files.read('var.ini')).toBeNull();
    const err = await files.require('var.ini').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toBe(
      'emhttp state (var.ini) was not found — this does not look like an Unraid server, or its array service (emhttp) has not started yet. system_overview still works.',
    );
    expect((err as Error).message).not.toContain(t.dir);
    const disks = await files.require('disks.ini').catch((e: unknown) => e);
    expect((disks as Error).message).toBe(
      'emhttp state (disks.ini) was not found — emhttp has not published it yet. Try again in a minute; system_overview and system_array_status work without it.',
    );
  });

  it('forgets a file that disappears', async () => {
    const t = await copyOf('emhttp/unraid-7.3.1');
    cleanup = t.cleanup;
    const files = createEmhttpFiles(t.dir);
    expect(await files.read('var.ini')).not.toBeNull();
    await rm(join(t.dir, 'var.ini'));
    expect(await files.read('var.ini')).toBeNull();
  });
});
