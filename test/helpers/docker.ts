import Docker from 'dockerode';
import { inject } from 'vitest';

/** A dockerode client on the suite's private dockerd, plus helpers that clean up what they create. */
export function testDocker() {
  const docker = new Docker({ socketPath: inject('dockerSocket') });
  const created: string[] = [];
  return {
    docker,
    async createContainer(name: string, labels: Record<string, string> = {}, start = false): Promise<string> {
      const c = await docker.createContainer({
        name,
        Image: inject('testImage'),
        Cmd: ['sleep', '3600'],
        Labels: labels,
        HostConfig: { NetworkMode: 'none', Init: true },
      });
      created.push(c.id);
      if (start) await c.start();
      return c.id;
    },
    async cleanup() {
      await Promise.all(
        created.splice(0).map((id) =>
          docker
            .getContainer(id)
            .remove({ force: true })
            .catch(() => {}),
        ),
      );
    },
  };
}
