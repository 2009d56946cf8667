import type { AnyTool } from './define-tool.js';
import { systemTools } from './system/index.js';
import { dockerReadTools } from './docker/read-tools.js';
import { dockerLifecycleTools } from './docker/lifecycle-tools.js';
import { createDockerBuildTools, type DockerBuildOptions } from './docker/build-tools.js';
import { createVmTools } from './vm/index.js';
import type { VmShares } from '../config/vm-shares.js';

export interface ToolOptions extends DockerBuildOptions {
  /** Where VM disks and ISOs live and the default bridge (Settings → VM Manager on Unraid). */
  vmShares?: () => VmShares;
}

/**
 * Every tool the sidecar has: the one registry; what a session sees is decided by selectTools.
 * Host-specific paths for the build tools (template folder, update script, bind allowlist) and the VM
 * shares come in from main.ts through service.ts.
 */
export function createTools(options: ToolOptions = {}): ReadonlyArray<AnyTool> {
  return [...systemTools, ...dockerReadTools, ...dockerLifecycleTools, ...createDockerBuildTools(options), ...createVmTools(options.vmShares)];
}

/** The registry with Unraid's default paths (tests, docs, schema snapshots). */
export const allTools: ReadonlyArray<AnyTool> = createTools();
