/** Keywords that describe a value as a whole; everything else constrains one type and goes to its branch. */
const ANNOTATIONS = new Set([
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$comment',
]);

/**
 * The JSON Schema written the way MCP clients read without complaint: zod writes a nullable string
 * as `"type": ["string", "null"]`, which is valid JSON Schema but which several clients (the MCP
 * Inspector's portability check among them) flag or mishandle. The same meaning as `anyOf`, one
 * branch per type. Returns a new schema; the input is not changed.
 */
export function portableSchema<T>(schema: T): T {
  return rewrite(schema) as T;
}

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = rewrite(value);
  const { type } = out;
  if (!Array.isArray(type) || type.length < 2) return out;
  const whole: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(out)) {
    if (key === 'type') continue;
    (ANNOTATIONS.has(key) ? whole : rest)[key] = value;
  }
  return {
    ...whole,
    anyOf: (type as string[]).map((t) => (t === 'null' ? { type: 'null' } : { type: t, ...rest })),
  };
}
