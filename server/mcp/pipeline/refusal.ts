import type { CallAnswer } from '../../vocabulary.js';
import type { Decision } from './tool-call.js';

/** How a refused call is counted in the metrics. */
export type RefusalMetric = 'denied' | 'invalid' | 'error' | 'confirmation' | 'rate_limited' | 'busy';

/**
 * How a refused call reaches the audit log: its own intent and outcome records (every refusal but
 * one), or a summary the refusing step writes itself (limitRate: one record per token per second for
 * however many calls it refused, so a flood of refused calls cannot flood the log).
 */
export type RefusalAudit = 'records' | 'summarised';

/**
 * Thrown by a step that stops the call before the tool runs. recordOutcome turns it into the
 * intent and outcome records and the result the client sees; nothing after the throwing step runs.
 */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    readonly decision: Decision,
    readonly metric: RefusalMetric,
    /** What the client is told (through toToolResult), unless `result` is given. */
    readonly error: unknown,
    readonly result?: CallAnswer,
    readonly audit: RefusalAudit = 'records',
  ) {
    super(`refused: ${decision.rule ?? metric}`);
  }
}

/** A refusal by rule: the decision is "not allowed" under `rule`. */
export const refuse = (rule: string, metric: RefusalMetric, error: unknown): Refusal =>
  new Refusal({ allowed: false, rule }, metric, error);
