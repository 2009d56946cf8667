import { describe, expect, it } from 'vitest';
import {
  isoOrNull,
  portsFromInspect,
  portsFromList,
  shortId,
  unraidLabels,
  uptimeSeconds,
} from '../../../server/backends/docker/container-summary.js';
import { nameMatcher } from '../../../server/backends/docker/name-match.js';
import { redactEnv, redactLabels } from '../../../server/backends/docker/container-details.js';

describe('container summary helpers', () => {
  it('short IDs and Docker times', () => {
    expect(shortId('sha256:6a136f3cf13ff8d8090ff76b')).toBe('6a136f3cf13f');
    expect(isoOrNull('0001-01-01T00:00:00Z')).toBeNull();
    expect(isoOrNull('2026-11-21T11:45:27.645324232Z')).toBe('2026-11-21T11:45:27.645Z');
    expect(uptimeSeconds(true, '2025-06-01T12:00:00Z', Date.parse('2025-06-01T12:01:05.9Z'))).toBe(65);
    expect(uptimeSeconds(false, '2025-06-01T12:00:00Z', Date.now())).toBeNull();
  });

  it('ports from the container list: published and exposed, IPv4/IPv6 duplicates kept apart, exact duplicates dropped', () => {
    expect(
      portsFromList([
        { IP: '0.0.0.0', PrivatePort: 32400, PublicPort: 32400, Type: 'tcp' },
        { IP: '::', PrivatePort: 32400, PublicPort: 32400, Type: 'tcp' },
        { IP: '0.0.0.0', PrivatePort: 32400, PublicPort: 32400, Type: 'tcp' },
        { PrivatePort: 1900, Type: 'udp' } as never,
      ]),
    ).toEqual([
      { hostIp: null, hostPort: null, containerPort: 1900, protocol: 'udp' },
      { hostIp: '0.0.0.0', hostPort: 32400, containerPort: 32400, protocol: 'tcp' },
      { hostIp: '::', hostPort: 32400, containerPort: 32400, protocol: 'tcp' },
    ]);
  });

  it('ports from an inspect: live bindings, else configured bindings plus exposed ports', () => {
    expect(
      portsFromInspect(
        { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '443/tcp': null },
        null,
        null,
      ),
    ).toEqual([
      { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostIp: null, hostPort: null, containerPort: 443, protocol: 'tcp' },
    ]);
    expect(
      portsFromInspect(
        {},
        { '53/udp': [{ HostIp: '', HostPort: '5353' }] },
        { '53/udp': {}, '8080/tcp': {} },
      ),
    ).toEqual([
      { hostIp: null, hostPort: 5353, containerPort: 53, protocol: 'udp' },
      { hostIp: null, hostPort: null, containerPort: 8080, protocol: 'tcp' },
    ]);
  });

  it('Unraid labels', () => {
    expect(
      unraidLabels({
        'net.unraid.docker.managed': 'dockerman',
        'net.unraid.docker.webui': 'http://[IP]:[PORT:8080]/',
        other: 'x',
      }),
    ).toEqual({
      managed: 'dockerman',
      icon: null,
      webui: 'http://[IP]:[PORT:8080]/',
      shell: null,
    });
    expect(unraidLabels({ 'com.docker.compose.project': 'x' })).toBeNull();
    expect(unraidLabels(null)).toBeNull();
  });

  it('name filters: globs, plain text as "contains", case-insensitive, "/" and ":" allowed', () => {
    const names = [
      'Plex-Media-Server',
      'binhex-sonarr',
      'binhex-radarr',
      'sonarr-4k',
      'lscr.io/linuxserver/plex:latest',
    ];
    const pick = (p: string) => names.filter(nameMatcher(p));
    expect(pick('plex')).toEqual(['Plex-Media-Server', 'lscr.io/linuxserver/plex:latest']);
    expect(pick('binhex-*')).toEqual(['binhex-sonarr', 'binhex-radarr']);
    expect(pick('*arr')).toEqual(['binhex-sonarr', 'binhex-radarr']);
    expect(pick('sonarr-?k')).toEqual(['sonarr-4k']);
    expect(pick('lscr.io/*:latest')).toEqual(['lscr.io/linuxserver/plex:latest']);
    expect(pick('\\*')).toEqual([]);
  });

  it('redacts env values and labels whose key names a secret, and secret-looking values', () => {
    expect(
      redactEnv([
        'DB_PASSWORD=hunter2',
        'TZ=Europe/Berlin',
        'DATABASE_URL=postgres://app:s3cret@db/app',
        'EMPTY',
        'API_KEY=abc',
      ]),
    ).toEqual([
      { name: 'DB_PASSWORD', value: '[REDACTED]' },
      { name: 'TZ', value: 'Europe/Berlin' },
      { name: 'DATABASE_URL', value: 'postgres://app:[REDACTED]@db/app' },
      { name: 'EMPTY', value: '' },
      { name: 'API_KEY', value: '[REDACTED]' },
    ]);
    expect(
      redactLabels({
        'traefik.http.middlewares.auth.basicauth.users': 'admin:$apr1$x',
        'net.unraid.docker.icon': 'https://x/i.png',
      }),
    ).toEqual({
      'traefik.http.middlewares.auth.basicauth.users': '[REDACTED]',
      'net.unraid.docker.icon': 'https://x/i.png',
    });
  });
});
