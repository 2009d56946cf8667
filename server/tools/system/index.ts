import { systemArrayStatus } from './system-array-status.js';
import { systemDisks } from './system-disks.js';
import { systemOverview } from './system-overview.js';
import { systemShares } from './system-shares.js';

/** The `system` toolset, in the order clients list them. */
export const systemTools = [systemOverview, systemArrayStatus, systemDisks, systemShares] as const;
