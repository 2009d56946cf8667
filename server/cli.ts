import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ServiceEnv } from './config/env.js';
import { ConfigError, formatProblem } from './errors/config-error.js';
import { SCOPES, type Scope } from './vocabulary.js';
import { parseExpiry } from './tokens/parse-expiry.js';
import { createToken, listTokens, revokeToken, type CreatedToken } from './tokens/token-commands.js';
import { ownerChange } from './owner-change.js';
import { loadTokenFile } from './tokens/token-file.js';
import { auditVerifyCommand } from './safety/audit/audit-cli.js';
import type { VerifyReport } from './safety/audit/audit-verify.js';
import { adminRequest, SERVICE_NOT_RUNNING } from './admin/admin-client.js';
import { confirmCommand } from './confirm-cli.js';
import { storageCommand } from './storage-cli.js';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  now: () => Date;
}

export const USAGE = `unraid-mcp — MCP server for Unraid

Usage:
  unraid-mcp serve                                   Run the sidecar (settings from environment variables)
  unraid-mcp token create --name NAME --scope read|operate|admin [--expires 30d]
                                                     Create a token; its secret is the last line printed
  unraid-mcp token list [--json]                     List tokens (never shows secrets)
  unraid-mcp token revoke NAME                       Revoke a token; sessions using it end
  unraid-mcp config check                            Validate the configuration directory
  unraid-mcp config reset policy.json|unraid-mcp.cfg Recreate a deleted settings file with the defaults
  unraid-mcp audit verify [--json]                   Check the audit log's hash chain; names the first broken record
  unraid-mcp confirm list [--all]                    Pending confirmations (needs the running service)
  unraid-mcp confirm approve|deny ID [--reason TEXT] Decide a pending confirmation, as the WebGUI does
  unraid-mcp sessions list [--json]                  Open MCP sessions: token, client, opened, last active, calls
  unraid-mcp sessions close ID                       Close a session (its client must start a new one)
  unraid-mcp storage persistent|ram|status           Move the audit log and pending approvals to appdata or RAM
                                                     (the array start/stop hooks run this), or say where they are
  unraid-mcp help                                    This text

Where things are (environment variables; defaults suit Unraid):
  UNRAID_MCP_CONFIG_DIR    tokens.json, unraid-mcp.cfg, policy.json   (/boot/config/plugins/unraid-mcp)
  UNRAID_MCP_STATE_DIR     runtime state in RAM                      (/var/local/unraid-mcp)
  UNRAID_MCP_AUDIT_DIR     audit log        (/mnt/user/appdata/unraid-mcp/audit, or /var/log/unraid-mcp/audit)
  UNRAID_MCP_ADMIN_SOCKET  the running service's admin socket        (/var/run/unraid-mcp/admin.sock)
The README lists every variable.`;

class UsageError extends Error {}

/** Runs an operator command; returns the process exit code. Never throws for bad input. */
export async function runCli(argv: string[], env: ServiceEnv, io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, env, io);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) io.err(formatProblem(p));
      return 1;
    }
    if (err instanceof UsageError) {
      io.err(err.message);
      io.err('Run "unraid-mcp help" for usage.');
      return 2;
    }
    io.err(`error: ${(err as Error).message}`);
    return 1;
  }
}

async function dispatch(argv: string[], env: ServiceEnv, io: CliIo): Promise<number> {
  const [group, sub, ...rest] = argv;
  if (group === undefined || group === 'help' || group === '--help' || group === '-h') {
    io.out(USAGE);
    return group === undefined ? 2 : 0;
  }
  if (group === 'token' && sub === 'create') return tokenCreate(rest, env, io);
  if (group === 'token' && sub === 'list') return tokenList(rest, env, io);
  if (group === 'token' && sub === 'revoke') return tokenRevoke(rest, env, io);
  if (group === 'config' && sub === 'check') return configCheck(rest, env, io);
  if (group === 'config' && sub === 'reset') return configReset(rest, env, io);
  if (group === 'audit' && sub === 'verify')
    // The running service knows the last record it wrote, so it reports a cut tail at once.
    return auditVerifyCommand(rest, env.auditDir, io, () =>
      adminRequest<VerifyReport>(target(env), 'GET', '/api/audit/verify').then(
        (r) => r.data,
        (err: Error) => {
          if (err.message.startsWith(SERVICE_NOT_RUNNING)) return null;
          throw err;
        },
      ),
    );
  if (group === 'confirm') return confirmCommand(sub, rest, env, io.out);
  if (group === 'storage' && rest.length === 0) {
    const code = await storageCommand(sub, env, io.out);
    if (code !== null) return code;
  }
  if (group === 'sessions' && sub === 'list') return sessionsList(rest, env, io);
  if (group === 'sessions' && sub === 'close') return sessionsClose(rest, env, io);
  throw new UsageError(`unknown command: ${argv.join(' ').slice(0, 80)}`);
}

const target = (env: ServiceEnv) => ({ socket: env.adminSocket, port: env.adminPort });

function parse<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function tokenCreate(args: string[], env: ServiceEnv, io: CliIo): Promise<number> {
  const { values } = parse({
    args,
    options: { name: { type: 'string' }, scope: { type: 'string' }, expires: { type: 'string' } },
    strict: true,
  });
  if (!values.name) throw new UsageError('token create: --name is required');
  if (!values.scope || !SCOPES.includes(values.scope as Scope))
    throw new UsageError(`token create: --scope must be one of ${SCOPES.join(', ')}`);
  const now = io.now();
  const expires = values.expires ? parseExpiry(values.expires, now) : null;
  const name = values.name;
  const scope = values.scope as Scope;
  const { record, secret } = await ownerChange(
    env,
    async (call) => {
      const body = { name, scope, expires: expires ? expires.toISOString() : 'never' };
      const { data } = await call<{ token: CreatedToken['record']; secret: string }>(
        target(env),
        'POST',
        '/api/tokens',
        body,
      );
      return { record: data.token, secret: data.secret };
    },
    () => createToken(env.configDir, name, scope, expires, now),
    (r) => ({
      name: 'admin.token_created',
      details: { name: r.record.name, scope: r.record.scope, expires: r.record.expires },
    }),
  );
  io.out(
    `Created token "${record.name}" with scope ${record.scope}, ${record.expires ? `expires ${record.expires}` : 'no expiry'}.`,
  );
  io.out('Copy the secret now: it is shown only once and stored only as a hash.');
  io.out(secret);
  return 0;
}

async function tokenList(args: string[], env: ServiceEnv, io: CliIo): Promise<number> {
  const { values } = parse({ args, options: { json: { type: 'boolean' } }, strict: true });
  const tokens = await listTokens(env.configDir, env.stateDir, io.now());
  if (values.json) {
    io.out(JSON.stringify(tokens, null, 2));
    return 0;
  }
  if (!tokens.length) {
    io.out('No tokens. Create one with: unraid-mcp token create --name NAME --scope read');
    return 0;
  }
  const rows = tokens.map((t) => [
    t.name,
    t.scope,
    t.created,
    t.expires ? `${t.expires}${t.expired ? ' (expired)' : ''}` : 'never',
    t.lastUsed ?? 'never',
  ]);
  printTable(io, ['NAME', 'SCOPE', 'CREATED', 'EXPIRES', 'LAST USED'], rows);
  return 0;
}

async function tokenRevoke(args: string[], env: ServiceEnv, io: CliIo): Promise<number> {
  const { positionals } = parse({ args, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('token revoke: give exactly one token name');
  const name = positionals[0] as string;
  await ownerChange(
    env,
    (call) => call(target(env), 'DELETE', `/api/tokens/${encodeURIComponent(name)}`).then(() => name),
    () => revokeToken(env.configDir, name).then(() => name),
    () => ({ name: 'admin.token_revoked', details: { name } }),
  );
  io.out(`Revoked token "${positionals[0]}". Clients using it are refused from now on.`);
  return 0;
}

async function configCheck(args: string[], env: ServiceEnv, io: CliIo): Promise<number> {
  parse({ args, options: {}, strict: true });
  const problems: ConfigError['problems'] = [];
  // Loaded here only, so the other commands start fast; confirmation overrides are checked against the registry.
  const [{ loadConfig }, { knownToolsOf }, { allTools }] = await Promise.all([
    import('./config/config-files.js'),
    import('./config/settings-check.js'),
    import('./tools/index.js'),
  ]);
  for (const check of [
    () => loadConfig(env.configDir, knownToolsOf(allTools)),
    () => loadTokenFile(env.configDir),
  ]) {
    try {
      await check();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length) {
    for (const p of problems) io.err(formatProblem(p));
    io.err(`${problems.length} problem${problems.length > 1 ? 's' : ''} in ${env.configDir}`);
    return 1;
  }
  io.out(`Configuration in ${env.configDir} is valid.`);
  return 0;
}

async function configReset(args: string[], env: ServiceEnv, io: CliIo): Promise<number> {
  const { positionals } = parse({ args, allowPositionals: true, strict: true });
  if (positionals.length !== 1)
    throw new UsageError('config reset: give exactly one file name (policy.json or unraid-mcp.cfg)');
  const { resetSettingsFile, ResetRefused } = await import('./config/reset-settings-file.js');
  try {
    const path = await resetSettingsFile(env.configDir, positionals[0] as string);
    io.out(`Recreated ${path} with the defaults. A running service applies it within a second.`);
    return 0;
  } catch (err) {
    if (!(err instanceof ResetRefused)) throw err;
    io.err(err.message);
    return 1;
  }
}

/** An open MCP session as the admin API lists it. */
interface SessionView {
  id: string;
  tag: string;
  token: string;
  scope: string;
  client: { name: string; version: string } | null;
  openedAt: string;
  lastActive: string;
  calls: number;
  inFlight: number;
}

/** The client's self-declared name and version: untrusted, so control characters are shown escaped. */
function clientLabel(c: SessionView['client']): string {
  const shown = (text: string) => JSON.stringify(text).slice(1, -1);
  return c ? `${shown(c.name)} ${shown(c.version)}` : '-';
}

async function sessionsList(args: string[], env: ServiceEnv, io: CliIo): Promise<number> {
  const { values } = parse({ args, options: { json: { type: 'boolean' } }, strict: true });
  const { data } = await adminRequest<{ sessions: SessionView[] }>(target(env), 'GET', '/api/sessions');
  if (values.json) {
    io.out(JSON.stringify(data.sessions, null, 2));
    return 0;
  }
  if (!data.sessions.length) {
    io.out('No open sessions.');
    return 0;
  }
  const rows = data.sessions.map((s) => [
    s.id,
    s.token,
    clientLabel(s.client),
    s.openedAt,
    s.lastActive,
    String(s.calls),
    s.inFlight > 0 ? `busy (${s.inFlight})` : 'idle',
  ]);
  printTable(io, ['ID', 'TOKEN', 'CLIENT', 'OPENED', 'LAST ACTIVE', 'CALLS', 'STATE'], rows);
  return 0;
}

async function sessionsClose(args: string[], env: ServiceEnv, io: CliIo): Promise<number> {
  const { positionals } = parse({ args, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('sessions close: give exactly one session id');
  const id = positionals[0] as string;
  const { data } = await adminRequest<{ session: SessionView }>(
    target(env),
    'DELETE',
    `/api/sessions/${encodeURIComponent(id)}`,
  );
  const s = data.session;
  io.out(
    `Closed session ${s.id} (token "${s.token}", client ${clientLabel(s.client)}, ${s.calls} call${s.calls === 1 ? '' : 's'}). Its client must start a new session.`,
  );
  return 0;
}

/** Prints `rows` under `header` in columns as wide as their widest cell, two spaces apart. */
function printTable(io: CliIo, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  for (const r of [header, ...rows])
    io.out(
      r
        .map((c, i) => c.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd(),
    );
}
