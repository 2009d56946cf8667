import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { diskNameSchema } from './shared/disk-name.js';
import { checkSpin, runSpin, spinOutput } from './shared/disk-spin.js';

export const diskSpinUp = defineTool({
  name: 'disk_spin_up',
  title: 'Spin up a disk',
  description:
    "Spins up one disk by its Unraid name (disk1, parity, a pool member) through emhttpd, as clicking a grey status orb on the WebGUI's Main page does. Refused when the disk is already spun up, has no device, is the boot device, or the array is not started. Returns the state read back from disks.ini.",
  toolset: 'unraid',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: z.object({ disk: diskNameSchema }).strict(),
  output: spinOutput,
  describe: ({ disk }) => `Spin up ${disk}.`,
  preflight: async ({ disk }, ctx) => {
    await checkSpin(ctx, disk, 'up');
  },
  run: ({ disk }, ctx) => runSpin(ctx, disk, 'up'),
});
