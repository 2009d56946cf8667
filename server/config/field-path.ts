/** Field path in the style owners read: `filters.containers.deny[2]`, `confirmModes.docker_stop`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return (
    path.reduce<string>(
      (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
      '',
    ) || '(file)'
  );
}

/**
 * Paths of own `__proto__` keys in parsed JSON. zod drops such keys without a word (assigning
 * `__proto__` sets a prototype instead of a property), which would silently lose a setting.
 */
export function protoKeyPaths(value: unknown, path: PropertyKey[] = [], depth = 0): string[] {
  if (depth > 8 || value === null || typeof value !== 'object') return [];
  const out: string[] = [];
  if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) out.push(fieldPath([...path, '__proto__']));
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v === 'object')
      out.push(...protoKeyPaths(v, [...path, Array.isArray(value) ? Number(k) : k], depth + 1));
  }
  return out;
}
