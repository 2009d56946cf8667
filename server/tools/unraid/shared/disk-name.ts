import { z } from 'zod';

/**
 * An Unraid disk name as emhttp writes it in disks.ini (disk1, parity2, cache, cache2, nvme, a ZFS
 * subpool member like cache~special). Letters, digits, `_`, `-` and `~` only, so a path (`../x`,
 * `/dev/sda`) is refused by the schema before any file is read or anything runs.
 */
export const diskNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_~-]*$/,
    'must be an Unraid disk name as system_disks lists it (disk1, parity, cache, cache2…), not a path or a /dev device',
  )
  .describe(
    'The disk as Unraid names it (system_disks): disk1, parity, parity2, cache, a pool member like cache2',
  );
