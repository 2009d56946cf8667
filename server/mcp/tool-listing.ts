import { z } from 'zod';
import type { Tool as McpTool } from '@modelcontextprotocol/server';
import type { AnyTool } from '../tools/define-tool.js';
import { portableSchema } from './portable-schema.js';

const cache = new WeakMap<AnyTool, McpTool>();

/**
 * The tools/list entry of a tool. JSON Schemas are derived from the zod schemas once per process
 * and reused by every session, instead of being regenerated per session and per list call; written
 * in the portable form (portable-schema.ts).
 */
export function toListEntry(tool: AnyTool): McpTool {
  let entry = cache.get(tool);
  if (!entry) {
    entry = {
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: portableSchema(
        z.toJSONSchema(tool.inputWithConfirmation, { io: 'input' }),
      ) as McpTool['inputSchema'],
      outputSchema: portableSchema(z.toJSONSchema(tool.outputWithTruncation, { io: 'output' })),
      annotations: { title: tool.title, ...tool.annotations },
    };
    cache.set(tool, entry);
  }
  return entry;
}
