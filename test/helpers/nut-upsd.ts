import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's nut-server puts the driver and the daemon (not /usr/sbin/upsd: a wrapper that needs nut.conf). */
const NUT_BIN = ['/lib/nut', '/usr/lib/nut'].find(
  (d) => existsSync(join(d, 'upsd')) && existsSync(join(d, 'dummy-ups')),
);

export interface NutUpsd {
  port: number;
  dir: string;
  /** Stops the dummy-ups driver only: upsd keeps answering, without data for the UPS. */
  stopDriver(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** One protocol exchange with upsd, for the readiness check. */
function ask(port: number, line: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.write(`${line}\nLOGOUT\n`));
    let text = '';
    s.on('data', (c: Buffer) => (text += c.toString()));
    s.on('close', () => resolve(text));
    s.on('error', () => resolve(''));
    s.setTimeout(1000, () => s.destroy());
  });
}

const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });

/**
 * A real NUT upsd (Debian's nut-server) on 127.0.0.1 with the dummy-ups driver serving `vars` as the UPS
 * `name`, from its own config folder and port. Throws with both daemons' output if they do not come up
 * with the UPS's data within 15 s: the tests must not pass against anything less.
 */
export async function startNutUpsd(name: string, vars: Record<string, string>): Promise<NutUpsd> {
  if (!NUT_BIN)
    throw new Error('NUT is not installed (Debian packages nut-server and nut-client): no upsd / dummy-ups');
  const dir = await mkdtemp(join(tmpdir(), 'umcp-nut-'));
  const port = await freePort();
  await writeFile(
    join(dir, 'ups.conf'),
    `[${name}]\n  driver = dummy-ups\n  port = ${name}.dev\n  desc = "Test UPS"\n`,
  );
  await writeFile(
    join(dir, `${name}.dev`),
    Object.entries(vars)
      .map(([k, v]) => `${k}: ${v}\n`)
      .join(''),
  );
  await writeFile(join(dir, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${dir}\n`);
  await writeFile(join(dir, 'upsd.users'), '');
  for (const f of ['ups.conf', 'upsd.conf', 'upsd.users']) await chmod(join(dir, f), 0o600);
  const env = { ...process.env, NUT_CONFPATH: dir, NUT_STATEPATH: dir, NUT_ALTPIDPATH: dir };
  let output = '';
  const start = (bin: string, args: string[]) => {
    const child = spawn(join(NUT_BIN, bin), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    return child;
  };
  const driver = start('dummy-ups', ['-a', name, '-u', 'root', '-F']);
  const upsd = start('upsd', ['-u', 'root', '-F']);
  const stop = async () => {
    await Promise.all([stopChild(upsd), stopChild(driver)]);
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await ask(port, `GET VAR ${name} ups.status`);
    if (/^VAR \S+ ups\.status "(?!WAIT)/m.test(answer)) break;
    if (Date.now() > deadline || upsd.exitCode !== null || driver.exitCode !== null) {
      await stop();
      throw new Error(
        `NUT upsd with dummy-ups did not come up on port ${port}:\n${output}\nlast answer: ${answer}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, dir, stopDriver: () => stopChild(driver), stop };
}
