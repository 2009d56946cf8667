import type { ToolContext } from '../../context.js';

/**
 * A progress reporter for MCP, where each notification's progress must be larger than the last: a
 * repeated or smaller value (a message-only change) is not sent. Never throws.
 */
export function increasingProgress(
  send: ToolContext['progress'],
  total = 100,
): (value: number, message: string) => void {
  let last = -Infinity;
  return (value, message) => {
    if (!(value > last)) return;
    last = value;
    void send(value, total, message).catch(() => {});
  };
}
