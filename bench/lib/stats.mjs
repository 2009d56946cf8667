// Small statistics and text-table helpers.

export function median(values) {
  const xs = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!xs.length) return null;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** Nearest-rank percentile of an already sorted array (p in 0..100). */
export function percentileSorted(sorted, p) {
  if (!sorted.length) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const round = (x, digits = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits;

export const kbToMb = (kb) => (kb === null || kb === undefined ? null : round(kb / 1024, 1));

/** Renders rows (arrays of cells) under headers: the first column left-aligned, the others right-aligned. */
export function formatTable(headers, rows) {
  const text = (c) => (c === null || c === undefined ? '-' : String(c));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => text(r[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => {
        const s = text(c);
        return i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
