import { z } from 'zod';

/**
 * What every container lifecycle tool returns. The state is read back from Docker after the action,
 * so a container that exits right after starting shows as exited, not as "started".
 */
export const containerActionOutput = z.object({
  name: z.string().describe('Container name'),
  id: z.string().describe('Full container ID'),
  previousState: z
    .string()
    .describe('State before the call: created, running, paused, restarting, exited or dead'),
  state: z
    .string()
    .describe(
      'State after the call, read back from Docker (created, running, paused, restarting, exited, dead), or "removed"',
    ),
  changed: z
    .boolean()
    .describe('False when the container was already in the requested state and nothing was done'),
  message: z.string().describe('What happened, in plain words'),
});
export type ContainerActionOutput = z.infer<typeof containerActionOutput>;
