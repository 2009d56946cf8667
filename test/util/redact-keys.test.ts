import { describe, expect, it } from 'vitest';
import { isSecretKey, redact, REDACTED } from '../../server/util/redact.js';

/** Which names hold a secret: the families real images use, and the look-alikes that do not. */
describe('isSecretKey', () => {
  it.each([
    // passwords
    'MYSQL_ROOT_PASSWORD',
    'POSTGRES_PASSWORD',
    'REDIS_PASSWORD',
    'OPENVPN_PASSWORD',
    'WEBPASSWORD',
    'RCLONE_CONFIG_PASS',
    'VPN_PASS',
    'SMTP_PASSWD',
    'GPG_PASSPHRASE',
    'MYSQL_PWD',
    'DB_PW',
    'PW',
    'dbPassword',
    'PASSWORD2',
    // tokens, secrets, keys
    'GITHUB_TOKEN',
    'CLOUDFLARE_API_TOKEN',
    'X-Auth-Token',
    'JWT_SECRET',
    'JWT',
    'SECRET_KEY_BASE',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ACCESS_KEY_ID',
    'ENCRYPTION_KEY',
    'WIREGUARD_PRIVATE_KEY',
    'LICENSE_KEY',
    'API_KEY',
    'APIKEY',
    'apiKey',
    'APIKey',
    'x-api-key',
    'com.example.api_token',
    'privateKey',
    'KEY',
    'SSH_KEYS',
    'TS_AUTHKEY',
    'PASSKEY',
    // credentials, auth, sessions, the rest
    'GOOGLE_APPLICATION_CREDENTIALS',
    'DOCKER_CREDS',
    'AUTHORIZATION',
    'BASIC_AUTH',
    'traefik.http.middlewares.auth.basicauth.users',
    'OAUTH_CLIENT_SECRET',
    'PLEX_CLAIM',
    'csrf_token',
    'XSRF-TOKEN',
    'session_cookie',
    'SESSION_ID',
    'PHPSESSID',
    'PASSWORD_SALT',
    'DISCORD_WEBHOOK_URL',
  ])('%s is a secret name', (name) => {
    expect(isSecretKey(name)).toBe(true);
  });

  it.each([
    'PUID',
    'PGID',
    'TZ',
    'UMASK',
    'WEBUI_PORT',
    'KEYWORDS',
    'KEYBOARD',
    'keyboard_layout',
    'MONKEY',
    'DONKEYS',
    'HOTKEY',
    'PASSTHROUGH',
    'BYPASS_PROXY',
    'COMPASS_DIR',
    'org.opencontainers.image.authors',
    'AUTH_MODE',
    'OAUTH_ENABLED',
    'AUTHENTIK_LOG_LEVEL',
    'PWD',
    'OLDPWD',
    'pwm1',
    'PWR_LED',
    'SESSION_TIMEOUT',
    'name',
    'image',
    'net.unraid.docker.webui',
  ])('%s is not', (name) => {
    expect(isSecretKey(name)).toBe(false);
  });

  it('answers the same for a name asked again (the answers are cached) and for very long names', () => {
    for (let i = 0; i < 3; i++) expect(isSecretKey('MYSQL_ROOT_PASSWORD')).toBe(true);
    for (let i = 0; i < 5000; i++) isSecretKey(`X${i}_TOKEN`);
    expect(isSecretKey('MYSQL_ROOT_PASSWORD')).toBe(true);
    expect(isSecretKey('KEYBOARD')).toBe(false);
    expect(isSecretKey(`${'A_'.repeat(100)}PASSWORD`)).toBe(true);
    expect(isSecretKey(`${'A_'.repeat(100)}PORT`)).toBe(false);
  });

  it('decides env entries and object keys alike', () => {
    expect(
      redact(['MYSQL_PWD=x1', 'DB_PW=x2', 'JWT=x3', 'ENCRYPTION_KEY=x4', 'KEYWORDS=tv', 'PWD=/app']),
    ).toEqual([
      `MYSQL_PWD=${REDACTED}`,
      `DB_PW=${REDACTED}`,
      `JWT=${REDACTED}`,
      `ENCRYPTION_KEY=${REDACTED}`,
      'KEYWORDS=tv',
      'PWD=/app',
    ]);
    expect(redact({ MYSQL_PWD: 'x1', TS_AUTHKEY: 'x2', KEYBOARD: 'de', PUID: 99 })).toEqual({
      MYSQL_PWD: REDACTED,
      TS_AUTHKEY: REDACTED,
      KEYBOARD: 'de',
      PUID: 99,
    });
  });
});
