/** What stands in for a secret wherever one is removed: env values, labels, arguments, results, logs. */
export const REDACTED = '[REDACTED]';
