const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * Turns `--expires` text into an absolute time: a duration such as 90m, 12h, 30d, 8w, or an ISO
 * date/time in the future. "never" means no expiry. Throws with a message saying what is accepted.
 */
export function parseExpiry(text: string, now: Date): Date | null {
  const t = text.trim();
  if (t === 'never') return null;
  const m = /^(\d{1,6})([mhdw])$/.exec(t);
  if (m) {
    const amount = Number(m[1]);
    if (amount === 0) throw new Error(`--expires ${t}: the duration must be more than zero`);
    return new Date(now.getTime() + amount * (UNIT_MS[m[2] as string] as number));
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const d = new Date(t);
    if (Number.isNaN(d.getTime())) throw new Error(`--expires ${t}: not a valid date`);
    if (d.getTime() <= now.getTime()) throw new Error(`--expires ${t}: that time is already past`);
    return d;
  }
  throw new Error(
    `--expires ${t}: use a duration like 90m, 12h, 30d or 8w, an ISO date like 2027-01-31, or "never"`,
  );
}
