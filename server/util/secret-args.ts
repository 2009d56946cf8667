import { REDACTED } from './redacted.js';
import { isSecretKey } from './secret-keys.js';

/**
 * Secrets on a command line, as one string (`sh -c "…"`, a health check) or as a list of arguments
 * (a container's Cmd, Entrypoint, Args): `--password=x`, `--password x`, `-token x`, `--api-key x`,
 * and the password flags of clients that have a short one (`mysql -uroot -psecret`). The flag stays,
 * its value goes.
 */

/** A client whose short flag takes a password: `mysql -p<password>`, `redis-cli -a <password>`. */
export interface PasswordFlag {
  /** The flag's letter. */
  readonly letter: string;
  /** Whether the password may also be the next argument (mysql's `-p db` is a prompt, then a database). */
  readonly separate: boolean;
  /** The program as an argument of its own: its name, or a path ending in it. */
  readonly program: RegExp;
  /** The program named anywhere in a command string. */
  readonly named: RegExp;
  /** The flag and its value in a command string: groups are what comes before, the flag, the value. */
  readonly inText: RegExp;
}

function passwordFlag(letter: string, separate: boolean, program: string): PasswordFlag {
  const gap = separate ? String.raw`(?:[ \t]+(?!--?[A-Za-z]))?` : '';
  return {
    letter,
    separate,
    program: new RegExp(`(?:^|/)(?:${program})$`, 'i'),
    named: new RegExp(String.raw`\b(?:${program})\b`, 'i'),
    inText: new RegExp(String.raw`(^|[\s"'=])(-${letter}${gap})(?=\S)("[^"]*"|'[^']*'|[^\s"';&|]+)`, 'g'),
  };
}

/** The clients: flag letter, whether the password may be the next argument, the program's names. */
const CLIENTS: ReadonlyArray<[string, boolean, string]> = [
  ['p', false, String.raw`mysql\w*|mariadb[\w-]*`],
  ['a', true, String.raw`(?:redis|valkey|keydb)-cli`],
  ['p', true, 'sshpass'],
];
const PASSWORD_FLAGS: readonly PasswordFlag[] = CLIENTS.map(([letter, separate, program]) =>
  passwordFlag(letter, separate, program),
);
/** Any of the clients as an argument of its own: one test before the one per client. */
const ANY_CLIENT = new RegExp(`(?:^|/)(?:${CLIENTS.map(([, , program]) => program).join('|')})$`, 'i');

/**
 * A flag, and its value when it has one: after `=`, or the next word unless that looks like another
 * flag, or the next item of a JSON list (`["--password","x"]`, as a prompt shows an argument list).
 * Groups: what comes before, the flag, `=`, its value, the blanks, the next word, the JSON comma, the
 * next JSON item.
 */
const FLAG =
  /(^|[\s"'=])(--?[A-Za-z][\w.-]{0,63})(?:(=)("[^"]*"|'[^']*'|[^\s"';&|]*)|([ \t]+)(?!--?[A-Za-z])("[^"]*"|'[^']*'|[^\s"';&|]+)|("\s*,\s*")(?!--?[A-Za-z])((?:[^"\\]|\\.)+)(?="))?/g;

const flagName = (flag: string) => flag.slice(flag.charCodeAt(1) === 45 ? 2 : 1);

/** A command string with the values of secret flags and client password flags replaced. */
export function redactFlags(text: string): string {
  let out = text;
  if (out.includes('-'))
    out = out.replace(
      FLAG,
      (
        m: string,
        lead: string,
        flag: string,
        eq?: string,
        attached?: string,
        gap?: string,
        next?: string,
        comma?: string,
        item?: string,
      ) => {
        if (!isSecretKey(flagName(flag))) return m;
        if (eq !== undefined) return attached ? `${lead}${flag}=${REDACTED}` : m;
        if (gap !== undefined && next !== undefined) return `${lead}${flag}${gap}${REDACTED}`;
        if (comma !== undefined && item !== undefined) return `${lead}${flag}${comma}${REDACTED}`;
        return m;
      },
    );
  for (const p of PASSWORD_FLAGS)
    if (out.includes(`-${p.letter}`) && p.named.test(out))
      out = out.replace(p.inText, (m: string, lead: string, flag: string, value: string) =>
        // `"-p", "db"` in a JSON list: the quote after the flag closes its item, no password follows.
        lead !== '' && value.startsWith(lead) ? m : `${lead}${flag}${REDACTED}`,
      );
  return out;
}

/** `--password` or `-token` on its own: the next argument is its value. */
export function takesSecretValue(arg: string): boolean {
  return arg.length > 1 && arg.charCodeAt(0) === 45 && !arg.includes('=') && isSecretKey(flagName(arg));
}

/** The client this argument runs (a program name or path), when it is one with a short password flag. */
export function passwordFlagOf(arg: string): PasswordFlag | null {
  if (arg.length > 256 || !ANY_CLIENT.test(arg)) return null;
  for (const p of PASSWORD_FLAGS) if (p.program.test(arg)) return p;
  return null;
}

/** Returned by passwordArg when the password is the next argument. */
export const NEXT_ARG = Symbol('next argument');

/**
 * An argument after `client`'s program name: with the attached password hidden (`-p[REDACTED]`),
 * NEXT_ARG when it is the flag alone and the password follows, or null when it is no password flag.
 */
export function passwordArg(arg: string, client: PasswordFlag): string | typeof NEXT_ARG | null {
  if (arg.charCodeAt(0) !== 45 || arg[1] !== client.letter) return null;
  if (arg.length > 2) return `-${client.letter}${REDACTED}`;
  return client.separate ? NEXT_ARG : null;
}
