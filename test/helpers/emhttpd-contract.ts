import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';

/** One request emhttpd received, as it arrived (fields in order, csrf_token included: tests compare it). */
export interface RecordedCommand {
  method: string;
  path: string;
  contentType: string;
  fields: Array<[string, string]>;
  /** What the contract answered: "ok", "refused: <reason>", "error", "hang". */
  answer: string;
}

/**
 * How the next commands are answered: normally, with an error text, never (a hung emhttpd), or
 * accepted without any effect on the state files (a drive that ignores a spin-down).
 */
export type ContractMode =
  | { kind: 'normal' }
  | { kind: 'error'; status: number; body: string }
  | { kind: 'hang' }
  | { kind: 'no-effect' };

export interface ContractOptions {
  /** A disks.ini fixture copied next to var.ini; spin commands then change its `spundown`. */
  disksIni?: string;
}

export interface EmhttpdContract {
  /** The unix socket emhttpd listens on (give it to UNRAID_MCP_EMHTTPD_SOCKET). */
  socketPath: string;
  /** The folder holding the var.ini copy (give it to UNRAID_MCP_EMHTTP_ROOT). */
  emhttpRoot: string;
  varIni: string;
  commands: RecordedCommand[];
  mode: ContractMode;
  /**
   * The token emhttpd holds (written into the var.ini copy at start). Changing it alone models emhttpd
   * having a new token that var.ini does not show yet.
   */
  token: string;
  /** Sets (or, with null, removes) one var.ini key in the copy, as emhttpd rewriting the file would. */
  setVar(key: string, value: string | null): Promise<void>;
  readVar(key: string): Promise<string | undefined>;
  /** The disks.ini copy (null without a disks.ini fixture). */
  disksIni: string | null;
  /** Sets one key of one disks.ini section in the copy, as emhttp rewriting the file would. */
  setDiskVar(section: string, key: string, value: string): Promise<void>;
  readDiskVar(section: string, key: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Constant-time comparison, as PHP's hash_equals in the WebGUI's check. */
function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Share of the size a started check has done when var.ini is first rewritten (any position > 0 means running). */
const FIRST_POSITION_SHARE = 0.005;
const SAMPLE_KIB = 1_005_440;
const SAMPLE_S = 5;
/** How long the contract's array takes to start or stop. */
const ARRAY_SETTLE_MS = 150;

/**
 * Serves emhttpd's documented contract on a real unix socket, over a copy of a real var.ini fixture:
 * a form POST to /update (emcmd's path; /update.htm is what nginx forwards for the WebGUI's forms),
 * `application/x-www-form-urlencoded`, carrying var.ini's csrf_token. emhttpd's own answer to a bad
 * token is not public; this answers the way the WebGUI's CSRF check (local_prepend.php) does — HTTP
 * 403 with `{"error":"missing csrf_token"}` or `{"error":"wrong csrf_token"}`.
 * An accepted command gets 200 with an empty body (Unraid's emcmd treats any text as an error), and
 * var.ini is rewritten (write + rename, as a whole new file) to show the new state.
 */
export async function startEmhttpdContract(
  varIniFixture: string,
  token: string,
  options: ContractOptions = {},
): Promise<EmhttpdContract> {
  const dir = await mkdtemp(join(tmpdir(), 'umcp-emhttpd-'));
  const varIni = join(dir, 'var.ini');
  await copyFile(varIniFixture, varIni);
  const disksIni = options.disksIni ? join(dir, 'disks.ini') : null;
  if (options.disksIni && disksIni) await copyFile(options.disksIni, disksIni);
  const socketPath = join(dir, 'emhttpd.socket');
  const commands: RecordedCommand[] = [];
  const sockets = new Set<Socket>();

  const readVars = async () => {
    const text = await readFile(varIni, 'utf8');
    const vars = new Map<string, string>();
    for (const line of text.split('\n')) {
      const m = /^([^=\s]+)="(.*)"$/.exec(line.trim());
      if (m) vars.set(m[1]!, m[2]!);
    }
    return { text, vars };
  };
  const writeVars = async (changes: Record<string, string | null>) => {
    const { text } = await readVars();
    const lines = text.split('\n');
    for (const [key, value] of Object.entries(changes)) {
      const i = lines.findIndex((l) => l.startsWith(`${key}=`));
      if (value === null) {
        if (i !== -1) lines.splice(i, 1);
      } else if (i === -1) lines.splice(lines.length - 1, 0, `${key}="${value}"`);
      else lines[i] = `${key}="${value}"`;
    }
    await writeFile(`${varIni}.tmp`, lines.join('\n'));
    await rename(`${varIni}.tmp`, varIni);
  };

  /** disks.ini as section → key → value, and a writer that changes keys in place (write + rename). */
  const readDisks = async () => {
    const sections = new Map<string, Map<string, string>>();
    let current: Map<string, string> | null = null;
    for (const line of (await readFile(disksIni!, 'utf8')).split('\n')) {
      const header = /^\["?([^"\]]+)"?\]$/.exec(line.trim());
      if (header) sections.set(header[1]!, (current = new Map()));
      const m = /^([^=\s]+)="(.*)"$/.exec(line.trim());
      if (m && current) current.set(m[1]!, m[2]!);
    }
    return sections;
  };
  const writeDisk = async (section: string, changes: Record<string, string>) => {
    const lines = (await readFile(disksIni!, 'utf8')).split('\n');
    const start = lines.findIndex((l) => l.trim() === `["${section}"]`);
    if (start === -1) throw new Error(`disks.ini has no section ${section}`);
    let end = lines.findIndex((l, i) => i > start && l.startsWith('['));
    if (end === -1) end = lines.length;
    for (const [key, value] of Object.entries(changes)) {
      const i = lines.findIndex((l, j) => j > start && j < end && l.startsWith(`${key}=`));
      if (i === -1) lines.splice(end, 0, `${key}="${value}"`);
      else lines[i] = `${key}="${value}"`;
    }
    await writeFile(`${disksIni}.tmp`, lines.join('\n'));
    await rename(`${disksIni}.tmp`, disksIni!);
  };
  /** The temperature a disk had before it spun down, shown again when it spins up. */
  const lastTemp = new Map<string, string>();

  /**
   * A disk's reaction to cmdSpinup / cmdSpindown (the WebGUI's ToggleState: `cmdSpin{up|down}=<name>`):
   * spundown, the status colour (…-on ↔ …-blink) and temp ("*" while asleep) in its disks.ini section.
   * A name disks.ini does not have changes nothing (what emhttpd answers then is not public).
   */
  const spin = async (name: string, down: boolean) => {
    if (!disksIni) return;
    const disk = (await readDisks()).get(name);
    if (!disk) return;
    const color = disk.get('color') ?? 'green-on';
    if (down) {
      if (disk.get('temp') !== '*') lastTemp.set(name, disk.get('temp') ?? '*');
      await writeDisk(name, { spundown: '1', color: color.replace(/-on$/, '-blink'), temp: '*' });
    } else {
      await writeDisk(name, {
        spundown: '0',
        color: color.replace(/-blink$/, '-on'),
        temp: lastTemp.get(name) ?? '35',
      });
    }
  };

  /**
   * cmdStart / cmdStop: var.ini passes through Starting / Stopping (fsState) to Started / Stopped, and
   * only then is the command answered — emhttpd answers once the array has started or stopped (Unraid's
   * shutdown script waits on that answer). A stop also ends a parity operation in progress.
   */
  const arrayCommand = async (start: boolean, vars: Map<string, string>): Promise<string | null> => {
    if (vars.get('fsState') !== (start ? 'Stopped' : 'Started'))
      return start ? 'Array is not stopped' : 'Array is not started';
    await writeVars({ fsState: start ? 'Starting' : 'Stopping' });
    await new Promise((r) => setTimeout(r, ARRAY_SETTLE_MS));
    const color = vars.get('mdColor') ?? 'green-on';
    await writeVars(
      start
        ? { mdState: 'STARTED', fsState: 'Started', mdColor: color.replace(/-blink$/, '-on') }
        : {
            mdState: 'STOPPED',
            fsState: 'Stopped',
            mdColor: color.replace(/-on$/, '-blink'),
            ...(Number(vars.get('mdResyncPos') ?? 0) > 0
              ? { mdResync: '0', mdResyncPos: '0', mdResyncDb: '0', mdResyncDt: '0', sbSyncExit: '-4' }
              : {}),
          },
    );
    return null;
  };

  /** The md driver's reaction to each parity command, as var.ini shows it afterwards. */
  const apply = async (fields: Map<string, string>, vars: Map<string, string>): Promise<string | null> => {
    const now = String(Math.floor(Date.now() / 1000));
    const size = vars.get('mdResyncSize') ?? '0';
    const running = Number(vars.get('mdResyncPos') ?? 0) > 0;
    if (fields.has('cmdCheck')) {
      if (vars.get('mdState') !== 'STARTED') return 'Array not started';
      if (running) return 'Operation already in progress';
      await writeVars({
        mdResync: size,
        mdResyncPos: String(Math.floor(Number(size) * FIRST_POSITION_SHARE)),
        mdResyncDb: String(SAMPLE_KIB),
        mdResyncDt: String(SAMPLE_S),
        mdResyncCorr: fields.get('optionCorrect') === 'correct' ? '1' : '0',
        sbSynced: now,
        sbSyncErrs: '0',
      });
    } else if (fields.has('cmdCheckPause')) {
      await writeVars({ mdResync: '0', mdResyncDb: '0', mdResyncDt: '0' });
    } else if (fields.has('cmdCheckResume')) {
      await writeVars({ mdResync: size, mdResyncDb: String(SAMPLE_KIB), mdResyncDt: String(SAMPLE_S) });
    } else if (fields.has('cmdCheckCancel')) {
      await writeVars({
        mdResync: '0',
        mdResyncPos: '0',
        mdResyncDb: '0',
        mdResyncDt: '0',
        sbSynced2: now,
        sbSyncExit: '-4',
      });
    } else if (fields.has('cmdStart')) {
      return arrayCommand(true, vars);
    } else if (fields.has('cmdStop')) {
      return arrayCommand(false, vars);
    } else if (fields.has('cmdSpinup')) {
      await spin(fields.get('cmdSpinup')!, false);
    } else if (fields.has('cmdSpindown')) {
      await spin(fields.get('cmdSpindown')!, true);
    }
    return null;
  };

  const contract: EmhttpdContract = {
    socketPath,
    emhttpRoot: dir,
    varIni,
    commands,
    mode: { kind: 'normal' },
    token,
    setVar: (key, value) => writeVars({ [key]: value }),
    readVar: async (key) => (await readVars()).vars.get(key),
    disksIni,
    setDiskVar: (section, key, value) => writeDisk(section, { [key]: value }),
    readDiskVar: async (section, key) => (await readDisks()).get(section)?.get(key),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    },
  };

  const refuse = (res: ServerResponse, reason: string) => {
    res.writeHead(403, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: `${reason} csrf_token` }));
    return `refused: ${reason}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const contentType = req.headers['content-type'] ?? '';
    const path = (req.url ?? '').split('?')[0] ?? '';
    const form = contentType.split(';')[0]?.trim() === 'application/x-www-form-urlencoded';
    const fields = form ? [...new URLSearchParams(body).entries()] : [];
    const rec: RecordedCommand = { method: req.method ?? '', path, contentType, fields, answer: '' };
    commands.push(rec);
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      rec.answer = 'refused: method';
      return;
    }
    if (path !== '/update' && path !== '/update.htm') {
      res.writeHead(404).end();
      rec.answer = 'refused: path';
      return;
    }
    const { vars } = await readVars();
    const sent = new Map(fields).get('csrf_token');
    // A body in another encoding has no form fields to read: its token is as good as missing.
    if (sent === undefined) rec.answer = refuse(res, 'missing');
    else if (!safeEqual(sent, contract.token)) rec.answer = refuse(res, 'wrong');
    if (rec.answer) return;
    const mode = contract.mode;
    if (mode.kind === 'hang') {
      rec.answer = 'hang';
      return; // never answered; close() destroys the socket
    }
    if (mode.kind === 'error') {
      rec.answer = 'error';
      res.writeHead(mode.status, { 'Content-Type': 'text/plain' }).end(mode.body);
      return;
    }
    if (mode.kind === 'no-effect') {
      rec.answer = 'ok';
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('');
      return;
    }
    const problem = await apply(new Map(fields), vars);
    rec.answer = problem ? 'error' : 'ok';
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(problem ?? '');
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await writeVars({ csrf_token: token });
  await new Promise<void>((r) => server.listen(socketPath, r));
  return contract;
}
