import type Docker from 'dockerode';
import { inject } from 'vitest';
import { readAudit } from './audit-file.js';
import type { TestServer } from './start-server.js';

/** True when a container of exactly this name exists (running or not). */
export const containerExists = async (docker: Docker, name: string): Promise<boolean> =>
  (await docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } })).length > 0;

/** The smallest docker_create request that runs on the suite's dockerd. */
export const createArgs = (name: string) => ({
  name,
  image: inject('testImage'),
  command: ['sleep', '3600'],
  network: 'none',
});

/** The last docker_create outcome record for `name` in the server's audit log. */
export async function createOutcome(s: TestServer, name: string) {
  const records = await readAudit(s.env.auditDir);
  return records
    .filter(
      (r) =>
        r.tool === 'docker_create' &&
        r.stage === 'outcome' &&
        (r.args as { name?: string } | undefined)?.name === name,
    )
    .at(-1);
}
