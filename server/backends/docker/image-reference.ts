/**
 * Docker image references, parsed the way Docker's own reference grammar (distribution/reference)
 * reads them: `[registry[:port]/]path[:tag][@digest]`. Checked here, precisely, so a bad reference is
 * refused with a message that says what is wrong instead of reaching the daemon.
 */
export interface ImageReference {
  /** Registry host (and port) as written; null for Docker Hub. */
  domain: string | null;
  /** Repository path as written, without the registry (`nginx`, `linuxserver/plex`). */
  path: string;
  tag: string | null;
  digest: string | null;
  /** `[domain/]path`: what the pull API's `fromImage` takes. */
  name: string;
  /** Where the image comes from, for messages: the domain, or `docker.io`. */
  registry: string;
  /** The reference as written, with `:latest` added when it names neither a tag nor a digest. */
  reference: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGESTS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const MAX_NAME = 255;

export type ParsedReference = { ok: true; ref: ImageReference } | { ok: false; error: string };

/** Parses and validates an image reference; the error names the part that is wrong. */
export function parseImageReference(input: string): ParsedReference {
  const bad = (why: string): ParsedReference => ({
    ok: false,
    error: `${JSON.stringify(input.slice(0, 200))} is not a valid image reference: ${why}`,
  });
  if (input.length === 0) return bad('it is empty');
  if (input.length > 512) return bad('it is longer than 512 characters');
  if (/[\s\x00-\x1f\x7f]/.test(input)) return bad('it contains spaces or control characters');
  // Docker reads a digest with no name in front as an image ID; as a reference it would name a
  // repository "sha256" on Docker Hub.
  if (/^sha(?:256|384|512):[a-f0-9]+$/.test(input)) return bad('a digest alone is an image ID, not a name');

  let rest = input;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const [algo, hex] = digest.split(':', 2) as [string, string | undefined];
    const len = DIGESTS[algo];
    if (
      len === undefined ||
      hex === undefined ||
      !new RegExp(`^[a-f0-9]{${len}}$`).test(hex) ||
      digest.length !== algo.length + 1 + len
    ) {
      return bad('a digest is "sha256:" followed by 64 lowercase hex digits (or sha384/sha512 with 96/128)');
    }
  }

  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag))
      return bad(
        `the tag "${tag.slice(0, 140)}" is invalid (up to 128 letters, digits, "_", "." and "-", not starting with "." or "-")`,
      );
  }

  const name = rest;
  if (name.length === 0) return bad('the repository name is missing');
  if (name.length > MAX_NAME) return bad(`the repository name is longer than ${MAX_NAME} characters`);
  const parts = name.split('/');
  let domain: string | null = null;
  const first = parts[0] as string;
  if (parts.length > 1 && first !== first.toLowerCase() && !/[.:]/.test(first)) {
    // Docker reads an upper-case first component as a registry host only because of its case:
    // "Library/nginx" would be fetched from a host named "library" on the network, not from Docker
    // Hub's library/nginx. Nobody means that; a real registry host has a "." or a port.
    return bad(
      `repository names must be lowercase ("${first.slice(0, 100)}"); Docker would take "${first.slice(0, 100)}" for a registry host, not a Docker Hub namespace. ` +
        `Write "${name.toLowerCase().slice(0, 200)}", or name the registry with a "." or a port (registry.lan:5000/app)`,
    );
  }
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    domain = first;
    parts.shift();
    const problem = domainProblem(domain);
    if (problem) return bad(problem);
  }
  for (const p of parts) {
    if (p === '') return bad('it has an empty path component ("//" or a leading/trailing "/")');
    if (p !== p.toLowerCase()) return bad(`repository names must be lowercase ("${p}")`);
    if (!PATH_COMPONENT.test(p))
      return bad(
        `"${p}" is not a valid repository path component (lowercase letters and digits, separated by ".", "_", "__" or "-")`,
      );
  }
  const path = parts.join('/');
  if (!domain && /^[a-f0-9]{64}$/.test(path)) return bad('a 64-digit hex string is an image ID, not a name');
  return {
    ok: true,
    ref: {
      domain,
      path,
      tag,
      digest,
      name,
      registry: domain ?? 'docker.io',
      reference: tag === null && digest === null ? `${name}:latest` : input,
    },
  };
}

function domainProblem(domain: string): string | null {
  let host = domain;
  const portAt = domain.lastIndexOf(':');
  if (portAt > domain.lastIndexOf(']')) {
    const port = domain.slice(portAt + 1);
    host = domain.slice(0, portAt);
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)
      return `the registry port "${port}" must be a number from 1 to 65535`;
  }
  if (IPV6_HOST.test(host)) return null;
  if (!host.split('.').every((c) => DOMAIN_COMPONENT.test(c)))
    return `the registry host "${host}" is not a valid host name`;
  return null;
}
