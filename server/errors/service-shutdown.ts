import { quoteUntrusted } from '../util/quote-untrusted.js';
import { ToolError } from './tool-error.js';

/** How every answer about a call interrupted by the service stopping begins (see isShuttingDownMessage). */
export const SHUTTING_DOWN = 'unraid-mcp is shutting down';

/**
 * The reason a call's signal is aborted with when the service stops (InflightTracker.abortAll), so
 * the steps that see the abort can tell it from the client's own cancellation: a shutdown is not
 * something the client asked for, and the work may go on after the answer.
 */
export class ServiceShutdown extends Error {
  override readonly name = 'ServiceShutdown';
  constructor() {
    super(SHUTTING_DOWN);
  }
}

/** True when `signal` was aborted because the service is stopping. */
export function abortedByShutdown(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof ServiceShutdown;
}

/** Whether the tool's own work had begun when the shutdown came; `unknown` when the caller cannot tell. */
export type WorkState = 'started' | 'not_started' | 'unknown';

export interface InterruptedCall {
  tool: string;
  /** The target's name (or, before it was resolved, the reference the client gave); null for host-wide calls. */
  target: string | null;
  /** A tool that changes something: its work may still complete after the answer. */
  writing: boolean;
  work: WorkState;
}

/**
 * What the client (and the audit log) is told about a call the shutdown interrupted: that the
 * service is stopping, and what may still happen — a started change can still complete in Docker or
 * libvirt, so the client must look before it repeats it.
 */
export function shuttingDownMessage(call: InterruptedCall): string {
  const what = call.target === null ? call.tool : `${call.tool} on ${quoteUntrusted(call.target)}`;
  if (call.work === 'not_started')
    return `${SHUTTING_DOWN}; ${what} was not started. Call it again after the restart.`;
  if (!call.writing) return `${SHUTTING_DOWN}; ${what} did not finish. Call it again after the restart.`;
  const started = call.work === 'started' ? 'was started' : 'may have started';
  return `${SHUTTING_DOWN}; ${what} ${started} and may still complete — check its state after the restart.`;
}

/** The same, for a request the transport still had open when its session closed (no tool known). */
export const SHUTTING_DOWN_REQUEST = `${SHUTTING_DOWN}; this request had not finished and may still complete — check its effect after the restart.`;

/** The error a pipeline step throws for a call the shutdown interrupted: audited with code `shutting_down`. */
export function shuttingDownError(call: InterruptedCall): ToolError {
  return new ToolError('shutting_down', shuttingDownMessage(call));
}

/** True for any of the messages above: lets the session answer with the pipeline's own, more precise words. */
export function isShuttingDownMessage(text: string): boolean {
  return text.startsWith(`${SHUTTING_DOWN};`);
}
