import { REDACTED } from './redacted.js';

/**
 * Values that are credentials by their shape, whatever name they are stored under: private keys in
 * PEM form, JWTs, tokens with a well-known prefix, and the password of a `scheme://user:pass@host` URL.
 */

/** A PEM private key, up to its END line (or to the end of the text, when the value was cut). */
const PEM_PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|$)/g;

/**
 * Tokens recognisable by their prefix, and JWTs (header and payload are base64url JSON objects, so
 * both start with "ey"). One pass over the text for all of them.
 */
const TOKENS = new RegExp(
  [
    String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`, // AWS access key IDs (long-term, temporary)
    String.raw`\bgh[pousr]_[A-Za-z0-9]{20,}`, // GitHub tokens
    String.raw`\bgithub_pat_[A-Za-z0-9_]{20,}`, // GitHub fine-grained tokens
    String.raw`\bglpat-[A-Za-z0-9_-]{20,}`, // GitLab personal access tokens
    String.raw`\bxox[abposr]-[A-Za-z0-9-]{10,}`, // Slack tokens
    String.raw`\bxapp-[A-Za-z0-9-]{10,}`, // Slack app tokens
    // OpenAI and Anthropic keys. Plain "sk-" needs 32 letters and digits without a dash, so a
    // container called "sk-backup-job" is not taken for one.
    String.raw`\bsk-(?:proj|ant|svcacct|admin)-[A-Za-z0-9_-]{20,}`,
    String.raw`\bsk-[A-Za-z0-9]{32,}`,
    String.raw`\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}`, // Stripe
    String.raw`\bAIza[0-9A-Za-z_-]{35}`, // Google API keys
    String.raw`\bnpm_[A-Za-z0-9]{36}`, // npm
    String.raw`\bhf_[A-Za-z0-9]{30,}`, // Hugging Face
    String.raw`\btskey-[A-Za-z0-9-]{10,}`, // Tailscale auth and API keys (TS_AUTHKEY)
    String.raw`\bdckr_pat_[A-Za-z0-9_-]{20,}`, // Docker Hub
    String.raw`\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}`, // SendGrid
    String.raw`\bumcp_[A-Za-z0-9_-]{20,}`, // our own bearer tokens (tokens/token-secret.ts)
    String.raw`\beyJ[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*`, // JWTs
    String.raw`\b[Bb](?:earer|EARER)\s+[A-Za-z0-9._~+/=-]{8,}`, // an Authorization header's credential
  ].join('|'),
  'g',
);

/**
 * `scheme://user:password@host`: the password goes, the user and host stay for context. The user may
 * be empty (`redis://:password@redis`); the password runs to the last "@" before the path, so one
 * with an "@" in it is hidden whole.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]*):([^\s/?#]*)@/gi;

/**
 * Every pattern above starts with one of these (case matters, as in the patterns). A text without
 * any needs no scan.
 */
export const SHAPE_HINT =
  /eyJ|-----BEGIN|A(?:KIA|SIA|Iza)|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|xapp-|[sr]k[-_]|npm_|hf_|tskey-|dckr_pat_|SG\.|umcp_|[Bb]earer|BEARER|:\/\/\S*@/;

/** The text with private keys, JWTs, prefixed tokens and URL passwords replaced. */
export function redactSecretValues(text: string): string {
  let out = text;
  if (out.includes('-----BEGIN')) out = out.replace(PEM_PRIVATE_KEY, REDACTED);
  if (out.includes('://')) out = out.replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`);
  return out.replace(TOKENS, REDACTED);
}
