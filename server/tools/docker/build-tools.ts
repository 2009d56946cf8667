import type { AnyTool } from '../define-tool.js';
import { createDockerCreate, type DockerCreateOptions } from './docker-create.js';
import { createDockerUpdate, type DockerUpdateOptions } from './docker-update.js';
import { dockerPull } from './docker-pull.js';

export type DockerBuildOptions = DockerCreateOptions & DockerUpdateOptions;

/**
 * The tools that build and change containers: create, update, pull. Host-specific settings (bind
 * allowlist, dockerMan template folder, Unraid's update script) come in here, so main.ts can wire
 * settings and environment without the tools reading either.
 */
export function createDockerBuildTools(options: DockerBuildOptions = {}): AnyTool[] {
  return [createDockerCreate(options), createDockerUpdate(options), dockerPull] as AnyTool[];
}

/** The build tools with Unraid's default paths and the default bind allowlist. */
export const dockerBuildTools: ReadonlyArray<AnyTool> = createDockerBuildTools();
