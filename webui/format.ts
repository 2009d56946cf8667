/** Text for times, durations and sizes as the page shows them. Pure, so they are unit-tested. */

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-12-07 05:55:38` in the browser's time zone; the input when it is not a date. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `3 d 4 h`, `5 min 2 s`, `1 h`, `12 s`: the largest unit and the one below it, if not zero. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ];
  const first = units.findIndex(([, size]) => s >= size);
  if (first === -1) return '0 s';
  const [bigName, bigSize] = units[first]!;
  const parts = [`${Math.floor(s / bigSize)} ${bigName}`];
  const next = units[first + 1];
  if (next) {
    const n = Math.floor((s % bigSize) / next[1]);
    if (n > 0) parts.push(`${n} ${next[0]}`);
  }
  return parts.join(' ');
}

/** Time left until `iso` as `4 min 10 s`, or `expired`. */
export function formatCountdown(iso: string, nowMs: number): string {
  const left = Date.parse(iso) - nowMs;
  if (Number.isNaN(left)) return iso;
  return left <= 0 ? 'expired' : formatDuration(Math.ceil(left / 1000));
}

/** `5 min ago`, `just now`; `never` for null. */
export function formatAgo(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((nowMs - t) / 1000);
  if (s < 5) return 'just now';
  return s < 0 ? `in ${formatDuration(-s)}` : `${formatDuration(s)} ago`;
}

/** Pretty JSON for arguments and records: shown as text, never as HTML. */
export function formatJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, null, 2) ?? '';
}

/** The value of an `<input type="datetime-local">` (local time) as an ISO instant, '' for ''. */
export function localToIso(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** `512 B`, `3.4 KB`, `32 MB`, `1.2 GB` (powers of 1024, as the sidecar counts). */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 || v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}
