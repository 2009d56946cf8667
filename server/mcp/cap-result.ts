import { ToolError } from '../errors/tool-error.js';

export interface CappedResult {
  data: Record<string, unknown>;
  text: string;
}

/**
 * Fits a tool result into `capBytes` of JSON. When it is too large, the longest list in the result
 * is shortened (binary search for the most items that fit) and a `truncated` marker says which list,
 * how many items were kept of how many, and how to narrow the request. The result stays valid
 * against the tool's output schema, so structuredContent and text always carry the same data.
 */
export function capResult(data: Record<string, unknown>, capBytes: number): CappedResult {
  const text = JSON.stringify(data);
  if (fitsIn(text, capBytes)) return { data, text };

  const list = longestList(data);
  if (list) {
    const { path, items } = list;
    const build = (kept: number) => {
      const copy = setAtPath(data, path, items.slice(0, kept));
      copy.truncated = {
        path: path.join('.'),
        kept,
        total: items.length,
        hint: `Response shortened to fit ${Math.round(capBytes / 1024)} KB: ${kept} of ${items.length} items of "${path.join('.')}" are shown. Narrow the request (filters) to see the rest.`,
      };
      return copy;
    };
    let lo = 0;
    let hi = items.length - 1;
    let best: CappedResult | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const candidate = build(mid);
      const candidateText = JSON.stringify(candidate);
      if (fitsIn(candidateText, capBytes)) {
        best = { data: candidate, text: candidateText };
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best) return best;
  }
  throw new ToolError(
    'response_too_large',
    `The result is ${Math.round(Buffer.byteLength(text) / 1024)} KB, over the ${Math.round(capBytes / 1024)} KB response cap, and cannot be shortened. Narrow the request, or ask the owner to raise the response cap.`,
  );
}

/**
 * True when `text` takes at most `capBytes` as UTF-8. A UTF-16 code unit never takes more than 3
 * bytes, so most results are known to fit without counting (which would flatten and scan them).
 */
function fitsIn(text: string, capBytes: number): boolean {
  return text.length * 3 <= capBytes || Buffer.byteLength(text) <= capBytes;
}

function longestList(data: Record<string, unknown>): { path: string[]; items: unknown[] } | null {
  let best: { path: string[]; items: unknown[]; size: number } | null = null;
  const visit = (value: unknown, path: string[], depth: number) => {
    if (depth > 3 || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      const size = JSON.stringify(value).length;
      if (!best || size > best.size) best = { path, items: value, size };
      return;
    }
    for (const [k, v] of Object.entries(value)) visit(v, [...path, k], depth + 1);
  };
  visit(data, [], 0);
  return best;
}

function setAtPath(data: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path as [string, ...string[]];
  const copy = { ...data };
  copy[head] = rest.length ? setAtPath(copy[head] as Record<string, unknown>, rest, value) : value;
  return copy;
}
