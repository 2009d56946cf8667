import { z } from 'zod';
import { defineTool } from '../define-tool.js';

const bytes = (what: string) => z.number().nonnegative().nullable().describe(what);

const share = z.object({
  name: z.string(),
  comment: z.string().nullable(),
  allocator: z.string().nullable().describe('Allocation method: highwater, mostfree or fillup'),
  splitLevel: z.string().nullable().describe('Raw split level; null = automatic'),
  splitLevelDescription: z.string().describe('The split level in plain words'),
  floorBytes: bytes('Minimum free space a disk must keep before it stops receiving new files, in bytes'),
  includeDisks: z.array(z.string()).describe('Disks the share may use; empty = all'),
  excludeDisks: z.array(z.string()).describe('Disks the share must not use'),
  storage: z.object({
    useCache: z.string().nullable().describe('Raw setting: no, yes, prefer or only'),
    cachePool: z.string().nullable().describe('Primary pool'),
    cachePool2: z.string().nullable().describe('Secondary pool (Unraid 7.x); null = the array'),
    primary: z.string().nullable().describe('Where new files land: "array" or a pool name'),
    secondary: z
      .string()
      .nullable()
      .describe(
        'Where the mover takes files: "array", a pool name, or null when the mover ignores the share',
      ),
    moverDirection: z.enum(['primary_to_secondary', 'secondary_to_primary']).nullable(),
    description: z.string().describe('The storage setting in plain words'),
  }),
  cow: z.string().nullable().describe('btrfs copy-on-write: "auto" (on) or "no"'),
  sizeBytes: bytes(
    "Total size of the share's files as last computed in the WebGUI (Compute); null when not computed",
  ),
  usedBytes: bytes(
    'Space used on the storage this share can use (its pool or disks), in bytes — not only this share',
  ),
  freeBytes: bytes('Free space available to this share, in bytes'),
  encryption: z.enum(['none', 'all_encrypted', 'partly_unencrypted', 'unknown']).nullable(),
});

export const systemShares = defineTool({
  name: 'system_shares',
  title: 'Unraid user shares',
  description:
    'All user shares with comment, allocation settings (allocator, split level, floor, included/excluded ' +
    'disks), pool use (array only, pool only, pool then array, prefer pool; primary and secondary storage ' +
    'and mover direction), free/used space in bytes, copy-on-write and encryption. Use it for "where does ' +
    'share X store its files?" or "which shares are on the cache?". Fails on a host that is not Unraid.',
  toolset: 'system',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({}).strict(),
  output: z.object({ shares: z.array(share) }),
  run: async (_args, ctx) => ({ shares: await ctx.deps.host.shares(ctx.signal) }),
});
