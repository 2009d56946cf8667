import type { TestProject } from 'vitest/node';
import { startDockerd, importBusyboxImage, type Dockerd } from '../../scripts/dockerd.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    dockerSocket: string;
    /** A busybox image in that dockerd, for test containers. */
    testImage: string;
  }
}

let dockerd: Dockerd | undefined;

/**
 * One private, real dockerd for the whole run; tests read its socket with inject('dockerSocket').
 * If it cannot start, the run fails here with the daemon's log — no test silently skips Docker.
 */
export async function setup(project: TestProject): Promise<void> {
  dockerd = await startDockerd();
  project.provide('dockerSocket', dockerd.socket);
  project.provide('testImage', await importBusyboxImage(dockerd.socket));
}

export async function teardown(): Promise<void> {
  await dockerd?.stop();
}
