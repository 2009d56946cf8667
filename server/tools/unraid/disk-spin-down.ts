import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { diskNameSchema } from './shared/disk-name.js';
import { checkSpin, runSpin, spinOutput } from './shared/disk-spin.js';

export const diskSpinDown = defineTool({
  name: 'disk_spin_down',
  title: 'Spin down a disk',
  description:
    "Spins down one disk by its Unraid name (disk1, parity, a pool member) through emhttpd, as clicking a green status orb on the WebGUI's Main page does; the disk spins up again by itself when it is read or written. Refused when the disk is already spun down, has no device, is the boot device, or the array is not started. Returns the state read back from disks.ini.",
  toolset: 'unraid',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  input: z.object({ disk: diskNameSchema }).strict(),
  output: spinOutput,
  describe: ({ disk }) => `Spin down ${disk}.`,
  preflight: async ({ disk }, ctx) => {
    await checkSpin(ctx, disk, 'down');
  },
  run: ({ disk }, ctx) => runSpin(ctx, disk, 'down'),
});
