/**
 * Which names (env variables, labels, object keys, command-line flags) hold a secret. A name is split
 * into words (`MYSQL_ROOT_PASSWORD`, `x.api-key`, `privateKey` → MYSQL ROOT PASSWORD, X API KEY,
 * PRIVATE KEY) and the words decide, so `KEY_FILE` and `TS_AUTHKEY` are secrets while `KEYBOARD`,
 * `MONKEY`, `PASSTHROUGH` and `org.opencontainers.image.authors` are not. Errs towards redacting:
 * `KEY_SIZE` or `AUTH_DISABLED` lose a harmless value, which costs less than a leaked password.
 */

/**
 * Every secret word contains one of these fragments. Almost every key (name, state, PUID, TZ) fails
 * this one test, so the word split below runs only for the few that might be secrets.
 */
const FRAGMENT = /pass|pw|secret|token|key|cred|auth|cookie|[cx]srf|jwt|sess|claim|salt|webhook/i;

/** PASS, PASSWORD, PASSWD, PASSPHRASE, PASSCODE, openssl's PASSIN/PASSOUT, with anything before. */
const PASS_WORD = /PASS(?:WORD|WD|PHRASE|CODE|IN|OUT)?S?$/;
/** Words that end like a secret word but are ordinary English. */
const ORDINARY = new Set([
  'BYPASS',
  'COMPASS',
  'SURPASS',
  'TRESPASS',
  'OVERPASS',
  'UNDERPASS',
  'MONKEY',
  'DONKEY',
  'TURKEY',
  'HOCKEY',
  'JOCKEY',
  'WHISKEY',
  'HOTKEY',
  'TURNKEY',
  'LACKEY',
  'AUTHOR',
  'AUTHORED',
  'AUTHORITY',
  'AUTHORITIES',
  'COAUTHOR',
  'AUTHENTIK',
  'AUTHELIA',
]);
/**
 * A name with an AUTH word says how authentication works when it ends in one of these (AUTH_MODE,
 * AUTHENTIK_LOG_LEVEL, OAUTH_ENABLED), not what the credential is.
 */
const AUTH_SETTING = new Set([
  'MODE',
  'TYPE',
  'METHOD',
  'METHODS',
  'ENABLED',
  'ENABLE',
  'DISABLED',
  'DISABLE',
  'PROVIDER',
  'PROVIDERS',
  'URL',
  'URI',
  'HOST',
  'PORT',
  'LEVEL',
  'REQUIRED',
  'BACKEND',
  'STRATEGY',
]);
/** The shell's working directories: `PWD=/app` in an env is a path, not a password. */
const SHELL_DIRS = new Set(['PWD', 'OLDPWD']);

const CAMEL = /([a-z])([A-Z])/g;
const NOT_LETTER = /[^A-Z]+/;

/** `apiKey`, `x-api_key`, `X.API.KEY` → ['X', 'API', 'KEY']. Digits separate words (PASSWORD2). */
function wordsOf(name: string): string[] {
  return name
    .replace(CAMEL, '$1_$2')
    .toUpperCase()
    .split(NOT_LETTER)
    .filter((w) => w !== '');
}

const ordinary = (w: string) => ORDINARY.has(w) || (w.endsWith('S') && ORDINARY.has(w.slice(0, -1)));

function isSecretWord(w: string, next: string | undefined): boolean {
  if (PASS_WORD.test(w) || w.endsWith('PWD') || w.endsWith('PW')) return true;
  if (w.endsWith('KEY') || w.endsWith('KEYS')) return true;
  if (w === 'CRED' || w === 'CREDS' || w === 'SALT' || w === 'CLAIM') return true;
  if (w === 'SESSID' || w === 'PHPSESSID' || w === 'SESSIONID' || (w === 'SESSION' && next === 'ID'))
    return true;
  return /SECRET|TOKEN|CREDENTIAL|COOKIE|CSRF|XSRF|JWT|WEBHOOK/.test(w);
}

function classify(name: string): boolean {
  const words = wordsOf(name);
  if (words.length === 1 && SHELL_DIRS.has(words[0] as string)) return false;
  const last = words.at(-1) ?? '';
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (ordinary(w)) continue;
    if (isSecretWord(w, words[i + 1])) return true;
    if (w.includes('AUTH') && !AUTH_SETTING.has(last)) return true;
  }
  return false;
}

/**
 * The answers for names already seen. Results and arguments repeat the same few hundred keys on every
 * call; a lookup is cheaper than splitting a name into words again. Bounded, because names also come
 * from callers and containers.
 */
const seen = new Map<string, boolean>();
const SEEN_MAX = 2048;

/** True for a name such as DB_PASSWORD, MYSQL_PWD, api_key, X-Auth-Token, JWT or TS_AUTHKEY. */
export function isSecretKey(name: string): boolean {
  if (!FRAGMENT.test(name)) return false;
  if (name.length > 128) return classify(name);
  let secret = seen.get(name);
  if (secret === undefined) {
    secret = classify(name);
    if (seen.size >= SEEN_MAX) seen.clear();
    seen.set(name, secret);
  }
  return secret;
}
