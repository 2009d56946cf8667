/**
 * Quotes a value a caller sent, for an error message: shortened, and JSON-escaped so control
 * characters and newlines cannot forge lines in a log or a model's context.
 */
export function quoteUntrusted(value: string, max = 80): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
