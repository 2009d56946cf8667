import type { AnyTool } from './define-tool.js';
import { systemTools } from './system/index.js';
import { dockerReadTools } from './docker/read-tools.js';
import { dockerLifecycleTools } from './docker/lifecycle-tools.js';

/** Every tool the sidecar has. The one registry; what a session sees is decided by selectTools. */
export const allTools: ReadonlyArray<AnyTool> = [...systemTools, ...dockerReadTools, ...dockerLifecycleTools];
