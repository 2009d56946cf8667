import type { TestProject } from 'vitest/node';
import { startDockerd, type Dockerd } from './dockerd.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dockerSocket: string;
  }
}

let dockerd: Dockerd | undefined;

/** One private dockerd for the whole run; tests that need Docker read its socket with inject('dockerSocket'). */
export async function setup(project: TestProject): Promise<void> {
  dockerd = await startDockerd();
  project.provide('dockerSocket', dockerd.socket);
}

export async function teardown(): Promise<void> {
  await dockerd?.stop();
}
