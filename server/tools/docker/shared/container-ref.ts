import { z } from 'zod';

/**
 * How every Docker tool takes a container: name, full ID or unique ID prefix. The wrapper resolves it
 * (and applies filters and protection to the real name) before the tool runs.
 */
export const containerRef = z
  .string()
  .min(1)
  .max(128)
  .describe(
    'Container name (as in the Docker tab), full ID, or a unique ID prefix of at least 4 hex characters',
  );

/** Same for networks. */
export const networkRef = z.string().min(1).max(128).describe('Network name, full ID, or a unique ID prefix');
