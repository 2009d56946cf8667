import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../../server/backends/docker/image-reference.js';

const D64 = 'a'.repeat(64);

describe('image references (Docker reference grammar)', () => {
  it.each([
    [
      'nginx',
      {
        domain: null,
        path: 'nginx',
        tag: null,
        digest: null,
        registry: 'docker.io',
        reference: 'nginx:latest',
      },
    ],
    [
      'nginx:1.27-alpine',
      { domain: null, path: 'nginx', tag: '1.27-alpine', reference: 'nginx:1.27-alpine' },
    ],
    ['linuxserver/plex:latest', { domain: null, path: 'linuxserver/plex', tag: 'latest' }],
    [
      'lscr.io/linuxserver/plex:1.40.0',
      { domain: 'lscr.io', path: 'linuxserver/plex', registry: 'lscr.io', name: 'lscr.io/linuxserver/plex' },
    ],
    ['registry.lan:5000/team/app:v2', { domain: 'registry.lan:5000', path: 'team/app', tag: 'v2' }],
    ['localhost/app', { domain: 'localhost', path: 'app', reference: 'localhost/app:latest' }],
    ['127.0.0.1:5999/x', { domain: '127.0.0.1:5999', path: 'x', tag: null }],
    ['[::1]:5000/app:1', { domain: '[::1]:5000', path: 'app', tag: '1' }],
    [`app@sha256:${D64}`, { tag: null, digest: `sha256:${D64}`, reference: `app@sha256:${D64}` }],
    [`ghcr.io/o/app:1.2@sha256:${D64}`, { domain: 'ghcr.io', tag: '1.2', digest: `sha256:${D64}` }],
    ['a__b/c-d.e_f', { path: 'a__b/c-d.e_f' }],
    ['registry.invalid/x:1', { domain: 'registry.invalid', registry: 'registry.invalid' }],
    // Host names are case-insensitive: an upper-case registry with a "." or a port is still a registry.
    ['Registry.LAN/app', { domain: 'Registry.LAN', path: 'app' }],
    ['MyHost:5000/app', { domain: 'MyHost:5000', path: 'app' }],
  ])('accepts %s', (input, expected) => {
    const r = parseImageReference(input);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.ref).toMatchObject(expected);
  });

  it.each([
    ['', 'it is empty'],
    ['Nginx', 'must be lowercase'],
    ['library/Nginx', 'must be lowercase ("Nginx")'],
    ['docker.io/Library/nginx', 'must be lowercase ("Library")'],
    // Docker would read these first components as registry hosts, only because of their case.
    [
      'Library/Nginx',
      'repository names must be lowercase ("Library"); Docker would take "Library" for a registry host, not a Docker Hub namespace. Write "library/nginx", or name the registry with a "." or a port (registry.lan:5000/app)',
    ],
    ['Library/nginx:1.27', 'Docker would take "Library" for a registry host'],
    ['LinuxServer/plex', 'Write "linuxserver/plex"'],
    ['Localhost/app', 'Docker would take "Localhost" for a registry host'],
    ['nginx:', 'the tag "" is invalid'],
    ['nginx:-bad', 'the tag "-bad" is invalid'],
    ['nginx:has space', 'spaces or control characters'],
    ['nginx;rm -rf /', 'spaces or control characters'],
    ['nginx\nlatest', 'spaces or control characters'],
    ['app@sha256:abc', 'a digest is "sha256:"'],
    [`app@sha256:${'A'.repeat(64)}`, 'a digest is "sha256:"'],
    [`app@md5:${D64}`, 'a digest is "sha256:"'],
    ['registry.lan:99999/app', 'port "99999"'],
    ['registry.lan:http/app', 'port "http" must be a number'],
    ['-bad.example.com/app', 'registry host "-bad.example.com"'],
    ['app//x', 'empty path component'],
    ['/app', 'empty path component'],
    ['app/', 'empty path component'],
    ['a..b', 'not a valid repository path component'],
    ['a---b_', 'not a valid repository path component'],
    [D64, 'an image ID'],
    [`sha256:${D64}`, 'a digest alone is an image ID, not a name'],
    [`${'a'.repeat(256)}`, 'longer than 255'],
    [`x:${'t'.repeat(129)}`, 'is invalid'],
  ])('refuses %j', (input, why) => {
    const r = parseImageReference(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(why);
  });
});
