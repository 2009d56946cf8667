/**
 * Wraps an async read so that calls within `maxAgeMs` of the last one share its result (and calls
 * while it runs share the same promise). Used where many callers poll the same state: 50 clients
 * asking for host health, or /readyz polled by a monitor, must not multiply file reads or socket
 * connections. A failed read is forgotten at once when `keepFailures` is false.
 */
export function reuseResult<T>(
  read: () => Promise<T>,
  maxAgeMs: number,
  opts: { keepFailures?: boolean; now?: () => number } = {},
): () => Promise<T> {
  const now = opts.now ?? (() => performance.now());
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    const t = now();
    if (last && t - last.at <= maxAgeMs) return last.value;
    const value = read();
    const entry = { at: t, value };
    last = entry;
    if (!opts.keepFailures) value.catch(() => (last === entry ? (last = null) : null));
    return value;
  };
}
