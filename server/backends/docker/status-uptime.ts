const UNIT_SECONDS: Record<string, number> = {
  second: 1,
  minute: 60,
  hour: 3600,
  day: 86_400,
  week: 604_800,
  month: 2_592_000,
  year: 31_536_000,
};

/**
 * Approximate uptime from Docker's status text ("Up 3 hours (healthy)", "Up About a minute",
 * "Up Less than a second", "Up 2 days (Paused)"), as precise as Docker's own humanised wording. The
 * container list carries this text but no start time; reading it here spares one inspect per container
 * on every list. Null when the text is not an "Up …" status.
 */
export function uptimeFromStatus(status: string): number | null {
  const m = /^Up\s+(Less than a second|About an? (\w+)|(\d+) (\w+?)s?)\b/i.exec(status.trim());
  if (!m) return null;
  if (/^less/i.test(m[1] as string)) return 0;
  const unit = ((m[2] ?? m[4]) as string).toLowerCase().replace(/s$/, '');
  const per = UNIT_SECONDS[unit];
  if (per === undefined) return null;
  return (m[3] ? Number(m[3]) : 1) * per;
}
