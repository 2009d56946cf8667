import type { CallToolResult } from '@modelcontextprotocol/server';
import { redact } from '../../util/redact.js';
import { capResult } from '../cap-result.js';
import type { CallHandler, RunHandler } from './tool-call.js';

/** Turns the tool's checked output into what the client gets: secrets redacted, capped in size, as structuredContent and the same JSON as text. */
export const shapeResult =
  (run: RunHandler): CallHandler =>
  async (call): Promise<CallToolResult> => {
    const output = (await run(call)) as Record<string, unknown>;
    const { data, text } = capResult(redact(output), call.settings.responseCapBytes);
    return { structuredContent: data, content: [{ type: 'text', text }] };
  };
