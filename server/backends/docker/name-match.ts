import { codePoints, matchTokens, type GlobToken } from '../../config/policy/glob.js';

/**
 * Name filter for list tools: `*` any run of characters, `?` one character, `\x` the character x,
 * matched against the whole name, case-insensitively; text without wildcards matches names that
 * contain it ("plex" finds "Plex-Media-Server"). Image references hold "/" and ":", so this does not
 * use the policy's name-glob parser (which refuses "/"), only its linear-time matcher — never RegExp.
 */
export function nameMatcher(pattern: string): (name: string) => boolean {
  const tokens: GlobToken[] = [];
  let wild = false;
  const cps = Array.from(pattern.toLowerCase().normalize('NFC'));
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] as string;
    if (c === '*') {
      wild = true;
      if (tokens.at(-1)?.t !== 'star') tokens.push({ t: 'star' });
    } else if (c === '?') {
      wild = true;
      tokens.push({ t: 'any' });
    } else {
      const ch = c === '\\' && i + 1 < cps.length ? (cps[++i] as string) : c;
      tokens.push({ t: 'lit', cp: ch.codePointAt(0) as number });
    }
  }
  const fold = (name: string) => name.toLowerCase().normalize('NFC');
  if (!wild) {
    const needle = tokens.map((t) => String.fromCodePoint((t as { cp: number }).cp)).join('');
    return (name) => fold(name).includes(needle);
  }
  return (name) => matchTokens(tokens, codePoints(fold(name)));
}
