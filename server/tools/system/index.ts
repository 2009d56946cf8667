import type { AnyTool } from '../define-tool.js';
// placeholder until the system toolset lands
export const systemTools: AnyTool[] = [];
