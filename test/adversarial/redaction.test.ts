import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testDocker } from '../helpers/docker.js';
import { toolsOf } from '../helpers/test-tools.js';
import { createLogger } from '../../server/log.js';

/**
 * The attack: secrets sit in a container's configuration (env, labels, command, health check) and in
 * the arguments of a writing call. A client with a read token asks docker_inspect and docker_list; an
 * admin client calls docker_create with secret env, labels and command in approve mode, so a pending
 * approval is stored. No secret may come back to the client, or land in the audit files, the
 * pending-approvals state or the log — while harmless values (PUID=99, TZ=Europe/Berlin) still show.
 */
const hex = (n: number) => randomBytes(n).toString('hex');
const b64u = (s: string) => Buffer.from(s).toString('base64url');
const P = `adv-redact-${hex(3)}-`;
const td = testDocker();
let srv: TestServer;
let reader: Client;
let admin: Client;
const logLines: string[] = [];

/** A secret, and the random parts of it none of which may appear anywhere (a partial leak counts). */
interface Secret {
  value: string;
  cores: string[];
}
const secret = (value: string, ...cores: string[]): Secret => ({
  value,
  cores: cores.length ? cores : [value],
});
/** A value only its variable's name marks as secret. */
const named = () => secret(`v${hex(10)}`);

const jwtSig = randomBytes(32).toString('base64url');
const jwtSub = hex(8);
const jwtPayload = b64u(JSON.stringify({ sub: jwtSub, name: 'admin' }));
const pemBody = randomBytes(48).toString('base64');
const akiaCore = hex(8).toUpperCase();

/** Secrets recognisable by shape, stored under names that say nothing. */
const SHAPED = {
  jwt: secret(`${b64u('{"alg":"HS256","typ":"JWT"}')}.${jwtPayload}.${jwtSig}`, jwtSig, jwtPayload),
  pem: secret(`-----BEGIN PRIVATE KEY-----\n${pemBody}\n-----END PRIVATE KEY-----`, pemBody),
  github: secret(`ghp_${hex(18)}`),
  githubPat: secret(`github_pat_${hex(15)}_${hex(15)}`),
  gitlab: secret(`glpat-${hex(10)}`),
  slack: secret(`xoxb-${hex(6)}-${hex(8)}`),
  openai: secret(`sk-proj-${hex(20)}`),
  aws: secret(`AKIA${akiaCore}`, akiaCore),
  ours: secret(`umcp_${randomBytes(32).toString('base64url')}`),
  tailscale: secret(`tskey-auth-${hex(8)}-${hex(12)}`),
  urlPassword: named(),
  redisPassword: named(),
  webuiPassword: named(),
};

/** Variables whose name marks them as secret: the families real images use. */
const NAMED_ENV: Record<string, Secret> = Object.fromEntries(
  [
    'MYSQL_ROOT_PASSWORD',
    'POSTGRES_PASSWORD',
    'REDIS_PASSWORD',
    'WEBPASSWORD',
    'PLEX_CLAIM',
    'TS_AUTHKEY',
    'CLOUDFLARE_API_TOKEN',
    'AWS_SECRET_ACCESS_KEY',
    'GITHUB_TOKEN',
    'JWT_SECRET',
    'ENCRYPTION_KEY',
    'SECRET_KEY_BASE',
    'DB_PW',
    'MYSQL_PWD',
    'RCLONE_CONFIG_PASS',
    'VPN_PASS',
    'OPENVPN_PASSWORD',
    'WIREGUARD_PRIVATE_KEY',
    'LICENSE_KEY',
    'JWT',
    'apiKey',
    'CSRF_TOKEN',
    'SESSION_COOKIE',
    'OAUTH_CLIENT_SECRET',
    'CREDENTIALS',
  ].map((k) => [k, named()]),
);

/** Secrets on the command line and in the health check. */
const ARGS = {
  mysqlP: named(),
  passwordSpace: named(),
  tokenEq: named(),
  apiKeySpace: named(),
  redisA: named(),
  healthP: named(),
  healthBearer: named(),
  healthQuery: named(),
  envArgs: named(),
};
const LABELS = { apiToken: named(), basicAuth: named() };
/** What docker_create is asked to put into a new container. */
const CREATE = {
  password: named(),
  urlPassword: named(),
  label: named(),
  flag: named(),
  mysqlP: named(),
  jwt: SHAPED.jwt,
};

const ALL: Secret[] = [
  ...Object.values(SHAPED),
  ...Object.values(NAMED_ENV),
  ...Object.values(ARGS),
  ...Object.values(LABELS),
  ...Object.values(CREATE),
];

/** Every secret (and every random part of one) found in `text`: must be none. */
function leaks(text: string): string[] {
  return ALL.flatMap((s) => s.cores.filter((c) => text.includes(c)));
}

const HARMLESS_ENV = [
  'PUID=99',
  'PGID=100',
  'TZ=Europe/Berlin',
  'UMASK=022',
  'WEBUI_PORT=8080',
  'KEYWORDS=media,tv',
  'KEYBOARD=de',
  'PWD=/app',
];

beforeAll(async () => {
  await td.docker.createContainer({
    name: `${P}vault`,
    Image: inject('testImage'),
    Entrypoint: ['/usr/bin/mysql'],
    Cmd: [
      '-uroot',
      `-p${ARGS.mysqlP.value}`,
      '--port',
      '3306',
      '--password',
      ARGS.passwordSpace.value,
      `--token=${ARGS.tokenEq.value}`,
      '--api-key',
      ARGS.apiKeySpace.value,
      '--execute',
      `system redis-cli -a ${ARGS.redisA.value} ping`,
    ],
    Env: [
      ...Object.entries(NAMED_ENV).map(([k, s]) => `${k}=${s.value}`),
      `DATABASE_URL=postgres://app:${SHAPED.urlPassword.value}@db:5432/app`,
      `CACHE_URL=redis://:${SHAPED.redisPassword.value}@redis:6379/0`,
      `ID_HINT=${SHAPED.jwt.value}`,
      `CLIENT_BLOB=${SHAPED.pem.value}`,
      `UPSTREAM=${SHAPED.github.value}`,
      `UPSTREAM2=${SHAPED.githubPat.value}`,
      `GITLAB=${SHAPED.gitlab.value}`,
      `SLACK=${SHAPED.slack.value}`,
      `OPENAI=${SHAPED.openai.value}`,
      `AWS_ID=${SHAPED.aws.value}`,
      `MCP=${SHAPED.ours.value}`,
      `TS=${SHAPED.tailscale.value}`,
      `EXTRA_ARGS=--db-password=${ARGS.envArgs.value} --verbose`,
      ...HARMLESS_ENV,
    ],
    Labels: {
      'com.example.api_token': LABELS.apiToken.value,
      'traefik.http.middlewares.auth.basicauth.users': `admin:${LABELS.basicAuth.value}`,
      'net.unraid.docker.managed': 'dockerman',
      'net.unraid.docker.webui': `http://admin:${SHAPED.webuiPassword.value}@[IP]:[PORT]/`,
      'org.opencontainers.image.authors': 'Jane Doe',
      'com.example.tier': 'gold',
    },
    Healthcheck: {
      Test: [
        'CMD-SHELL',
        `mysqladmin ping -uroot -p${ARGS.healthP.value} && curl -fsS -H "Authorization: Bearer ${ARGS.healthBearer.value}" "http://localhost/?apikey=${ARGS.healthQuery.value}&v=1"`,
      ],
      Interval: 60_000_000_000,
    },
    HostConfig: { NetworkMode: 'none' },
  });
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: toolsOf('docker'),
    tokens: [
      { name: 'reader', scope: 'read' },
      { name: 'admin', scope: 'admin' },
    ],
    settingsCfg: 'APPROVAL_WAIT_SECONDS="30"\n',
    log: createLogger('debug', (line) => logLines.push(line)),
  });
  reader = await srv.connect('reader');
  admin = await srv.connect('admin');
});
afterAll(async () => {
  await srv?.close();
  const mine = await td.docker.listContainers({ all: true, filters: { name: [P] } });
  await Promise.all(
    mine.map((c) =>
      td.docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  await td.cleanup();
});

/** Every regular file under `dir`, with its path and text. */
async function filesUnder(dir: string): Promise<Array<{ path: string; text: string }>> {
  const out: Array<{ path: string; text: string }> = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    out.push({ path, text: await readFile(path, 'utf8') });
  }
  return out;
}

const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;

describe('secrets in a container and in a writing call', () => {
  const results: CallToolResult[] = [];

  it('docker_inspect (summary and detail) hides every secret and still shows the harmless values', async () => {
    for (const detail of [false, true]) {
      const res = (await reader.callTool({
        name: 'docker_inspect',
        arguments: { id: `${P}vault`, detail },
      })) as CallToolResult;
      results.push(res);
      expect(res.isError).toBeFalsy();
      expect(leaks(JSON.stringify(res))).toEqual([]);
      const data = res.structuredContent as Record<string, any>;
      const env = detail
        ? (data.detail.Config.Env as string[])
        : (data.env as Array<{ name: string; value: string }>).map((e) => `${e.name}=${e.value}`);
      expect(env).toEqual(expect.arrayContaining(HARMLESS_ENV));
      for (const k of Object.keys(NAMED_ENV)) expect(env).toContain(`${k}=[REDACTED]`);
      expect(env).toContain('DATABASE_URL=postgres://app:[REDACTED]@db:5432/app');
      expect(env).toContain('CACHE_URL=redis://:[REDACTED]@redis:6379/0');
      expect(env).toContain('EXTRA_ARGS=--db-password=[REDACTED] --verbose');
      expect(data.labels ?? data.detail.Config.Labels).toMatchObject({
        'com.example.api_token': '[REDACTED]',
        'traefik.http.middlewares.auth.basicauth.users': '[REDACTED]',
        'org.opencontainers.image.authors': 'Jane Doe',
        'com.example.tier': 'gold',
      });
      const command = detail ? [data.detail.Path, ...data.detail.Args] : data.command;
      expect(command).toEqual([
        '/usr/bin/mysql',
        '-uroot',
        '-p[REDACTED]',
        '--port',
        '3306',
        '--password',
        '[REDACTED]',
        '--token=[REDACTED]',
        '--api-key',
        '[REDACTED]',
        '--execute',
        'system redis-cli -a [REDACTED] ping',
      ]);
      if (detail)
        expect(data.detail.Config.Healthcheck.Test).toEqual([
          'CMD-SHELL',
          'mysqladmin ping -uroot -p[REDACTED] && curl -fsS -H "Authorization: [REDACTED]" "http://localhost/?apikey=[REDACTED]&v=1"',
        ]);
    }
  });

  it('docker_list hides the password in the WebUI label', async () => {
    const res = (await reader.callTool({
      name: 'docker_list',
      arguments: { name: `${P}*` },
    })) as CallToolResult;
    results.push(res);
    expect(leaks(JSON.stringify(res))).toEqual([]);
    const [vault] = (res.structuredContent as { containers: Array<Record<string, any>> }).containers;
    expect(vault?.unraid.webui).toBe('http://admin:[REDACTED]@[IP]:[PORT]/');
  });

  it('a docker_create waiting for approval stores no secret: state file, audit, the admin API, the answer', async () => {
    const name = `${P}new`;
    const call = admin.callTool(
      {
        name: 'docker_create',
        arguments: {
          name,
          image: inject('testImage'),
          entrypoint: ['/usr/bin/mysqld'],
          command: [
            '--password',
            CREATE.flag.value,
            `-p${CREATE.mysqlP.value}`,
            `--session-token=${CREATE.jwt.value}`,
          ],
          env: [
            `DB_PASSWORD=${CREATE.password.value}`,
            `DATABASE_URL=mysql://app:${CREATE.urlPassword.value}@db/app`,
            'PUID=99',
            'TZ=Europe/Berlin',
          ],
          labels: { 'com.example.secret': CREATE.label.value, 'com.example.tier': 'gold' },
          network: 'none',
          start: false,
        },
      },
      undefined,
      { timeout: 60_000 },
    ) as Promise<CallToolResult>;
    // Should an assertion below fail, the waiting call ends when the server closes: not unhandled.
    call.catch(() => {});

    let pending: { id: string; description: string; args: unknown } | undefined;
    for (let i = 0; i < 400 && !pending; i++) {
      const { json } = await srv.admin('GET', '/api/confirmations');
      pending = (
        json.confirmations as Array<{
          id: string;
          status: string;
          tool: string;
          description: string;
          args: unknown;
        }>
      ).find((c) => c.status === 'pending' && c.tool === 'docker_create');
      if (!pending) await new Promise((r) => setTimeout(r, 50));
    }
    if (!pending) throw new Error('docker_create never asked for approval');
    const id = pending.id;
    // What the owner is shown: the redacted arguments, harmless ones as they are.
    expect(leaks(JSON.stringify(pending))).toEqual([]);
    expect(pending.args).toMatchObject({
      command: ['--password', '[REDACTED]', '-p[REDACTED]', '--session-token=[REDACTED]'],
      env: [
        'DB_PASSWORD=[REDACTED]',
        'DATABASE_URL=mysql://app:[REDACTED]@db/app',
        'PUID=99',
        'TZ=Europe/Berlin',
      ],
      labels: { 'com.example.secret': '[REDACTED]', 'com.example.tier': 'gold' },
    });

    // The state on disk while the approval waits: the pending-approvals file holds it, redacted.
    // The admin API sees the entry as soon as it is queued; its write to disk may still be under way.
    let state = await filesUnder(srv.env.stateDir);
    for (let i = 0; i < 100 && !state.some((f) => f.text.includes(id)); i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = await filesUnder(srv.env.stateDir);
    }
    const stored = state.filter((f) => f.text.includes(id));
    expect(stored.length).toBeGreaterThan(0);
    for (const f of state)
      expect({ file: f.path, leaks: leaks(f.text) }).toEqual({ file: f.path, leaks: [] });
    expect(stored.map((f) => f.text).join('')).toContain('TZ=Europe/Berlin');

    expect((await srv.admin('POST', `/api/confirmations/${id}/deny`, {})).status).toBe(200);
    const res = await call;
    results.push(res);
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/denied/i);
    expect(leaks(JSON.stringify(res))).toEqual([]);
    expect(await td.docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } })).toEqual([]);
  });

  it('nothing the server wrote anywhere (audit, state, config) or logged holds a secret', async () => {
    // Every file of the test server: the audit log (and its RAM copy), state, config.
    const files = await filesUnder(srv.root);
    const audit = files.filter(
      (f) => f.path.startsWith(srv.env.auditDir) && f.text.includes('docker_create'),
    );
    expect(audit.length).toBeGreaterThan(0);
    for (const f of files)
      expect({ file: f.path, leaks: leaks(f.text) }).toEqual({ file: f.path, leaks: [] });
    // The audit kept what was asked, with the harmless values: it is not empty by accident.
    const auditText = audit.map((f) => f.text).join('');
    expect(auditText).toContain('"DB_PASSWORD=[REDACTED]"');
    expect(auditText).toContain('"TZ=Europe/Berlin"');
    expect(auditText).toContain('docker_inspect');

    // The log was captured (the service logs as it starts), and none of it holds a secret.
    expect(logLines.length).toBeGreaterThan(0);
    expect(leaks(logLines.join(''))).toEqual([]);
    // The MCP answers again, all together (text and structured content).
    expect(results.length).toBe(4);
    expect(leaks(JSON.stringify(results))).toEqual([]);
  });
});
