import { basename, dirname } from 'node:path';
import { filesFor, parsePlg, type Plg } from './plg-parser.js';
import type { ScratchMachine } from './scratch-machine.js';

const BOOT = '/boot/config/plugins';
const PLUGINS = '/var/log/plugins';
const TMP = '/tmp/plugins';
const NOTIFY = '/usr/local/emhttp/webGui/scripts/notify';

export interface PluginResult {
  /** 0 for success, 1 for any refusal or failure, as the `plugin` command exits. */
  code: number;
  /** What the plugin manager printed, its own lines and the scripts' output in order. */
  output: string;
}

const sq = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * Unraid's plugin manager (`plugin install|check|update|remove`, webGui's dynamix.plugin.manager) as it
 * behaves, run against a ScratchMachine: the same checks in the same order (Unraid version against
 * `min`, an installed older or same version), FILE elements in document order for the method (an
 * existing file with the right hash is kept, a wrong one deleted and fetched again, a file without a
 * hash never overwritten), INLINE scripts run from /tmp with their Run program, the first failure
 * ending the run, and the .plg registered as installed by a link in /var/log/plugins. Written from its
 * documented behaviour, not its code.
 */
export class PluginManager {
  private out: string[] = [];
  constructor(private readonly m: ScratchMachine) {}

  /** `plugin install URL|FILE [forced]`. */
  async install(source: string, opts: { forced?: boolean } = {}): Promise<PluginResult> {
    this.out = [];
    const plugin = basename(source);
    this.say(`plugin: installing: ${plugin}`);
    let file = source;
    if (/^https?:\/\//.test(source)) {
      file = `${TMP}/${plugin}`;
      const error = await this.download(source, file);
      if (error) return this.fail(error);
    }
    const plg = await this.load(file);
    if (!plg) return this.fail("XML file doesn't exist or xml parse error");
    if (!(await this.versionFits(plg))) {
      if (dirname(file) === BOOT) await this.m.sh(`mkdir -p ${BOOT}-error && mv ${sq(file)} ${BOOT}-error/`);
      return this.done(1);
    }
    const link = `${PLUGINS}/${plugin}`;
    const installed = await this.installedFile(link);
    if (installed !== null) {
      if (installed === file) return this.fail('not re-installing same plugin');
      const installedPlg = await this.load(installed);
      const [v, iv] = [plg.plugin.version ?? '', installedPlg?.plugin.version ?? ''];
      if (!opts.forced && strcmp(v, iv) < 0) return this.fail('not installing older version');
      if (!opts.forced && strcmp(v, iv) === 0) return this.fail('not reinstalling same version');
      const error = await this.runFiles(plg, 'install', file);
      if (error) {
        await this.m.run(NOTIFY, [
          '-e',
          'Install error',
          '-s',
          `plugin: ${plugin}`,
          '-d',
          'Plugin failed to install',
          '-i',
          'warning',
        ]);
        return this.fail(error);
      }
      await this.m.run('rm', ['-f', link]);
    } else {
      const error = await this.runFiles(plg, 'install', file);
      if (error) {
        if (dirname(file) === BOOT)
          await this.m.sh(`mkdir -p ${BOOT}-error && mv ${sq(file)} ${BOOT}-error/`);
        return this.fail(error);
      }
    }
    await this.register(file, plugin);
    this.say(`plugin: ${plugin} installed`);
    return this.done(0);
  }

  /** `plugin check NAME.plg`: fetches the installed .plg's pluginURL into /tmp/plugins; prints its version. */
  async check(plugin: string): Promise<PluginResult> {
    this.out = [];
    const installed = await this.installedFile(`${PLUGINS}/${plugin}`);
    if (installed === null) return this.fail('not installed');
    const url = (await this.load(installed))?.plugin.pluginURL;
    if (!url) return this.fail('pluginURL attribute not present');
    const error = await this.download(url, `${TMP}/${plugin}`);
    if (error) return this.fail(error);
    this.say((await this.load(`${TMP}/${plugin}`))?.plugin.version ?? '');
    return this.done(0);
  }

  /** `plugin update NAME.plg`: installs the .plg a check left in /tmp/plugins over the installed one. */
  async update(plugin: string): Promise<PluginResult> {
    this.out = [];
    this.say(`plugin: updating: ${plugin}`);
    const link = `${PLUGINS}/${plugin}`;
    const installed = await this.installedFile(link);
    if (installed === null) return this.fail(`${plugin} not installed`);
    const file = `${TMP}/${plugin}`;
    const plg = await this.load(file);
    if (!plg) return this.fail(`${file} does not exist, check for updates first`);
    if (!(await this.versionFits(plg))) return this.done(1);
    if ((await this.load(installed))?.plugin.version === plg.plugin.version) {
      this.say('Not reinstalling same version');
      return this.done(1);
    }
    const error = await this.runFiles(plg, 'install', file);
    if (error) return this.fail(error);
    await this.m.run('rm', ['-f', link]);
    await this.register(file, plugin);
    this.say(`plugin: ${plugin} updated`);
    return this.done(0);
  }

  /** `plugin remove NAME.plg`: the installed .plg's remove FILEs, then the .plg moves to plugins-removed. */
  async remove(plugin: string): Promise<PluginResult> {
    this.out = [];
    this.say(`plugin: removing: ${plugin}`);
    const link = `${PLUGINS}/${plugin}`;
    const installed = await this.installedFile(link);
    if (installed !== null) {
      await this.m.run('rm', ['-f', link, `${TMP}/${plugin}`]);
      const plg = await this.load(installed);
      const error = plg
        ? await this.runFiles(plg, 'remove', installed)
        : "XML file doesn't exist or xml parse error";
      if (error) {
        await this.m.run('ln', ['-s', installed, link]);
        return this.fail(error);
      }
      await this.m.sh(`mkdir -p ${BOOT}-removed && mv ${sq(installed)} ${BOOT}-removed/`);
    }
    this.say(`plugin: ${plugin} removed`);
    return this.done(0);
  }

  /** What rc.local does at boot: `plugin install` for every .plg on the flash drive. */
  async installAllFromFlash(): Promise<PluginResult[]> {
    const list = await this.m.sh(`ls ${BOOT}/*.plg 2>/dev/null`);
    const results: PluginResult[] = [];
    for (const f of list.stdout.split('\n').filter(Boolean)) results.push(await this.install(f));
    return results;
  }

  private async versionFits(plg: Plg): Promise<boolean> {
    const have = /version="([^"]*)"/.exec((await this.m.read('/etc/unraid-version')) ?? '')?.[1] ?? '';
    const { min, max } = plg.plugin;
    const cmp = async (op: string, limit: string) =>
      (
        await this.m.run('php', [
          '-r',
          `exit(version_compare($argv[1], $argv[2], '${op}') ? 0 : 1);`,
          have,
          limit,
        ])
      ).code === 0;
    if (min && (await cmp('<', min))) {
      this.say(`plugin: installed Unraid version is too low, require at least version ${min}`);
      return false;
    }
    if (max && (await cmp('>', max))) {
      this.say(`plugin: installed Unraid version is too high, require at most version ${max}`);
      return false;
    }
    return true;
  }

  /** The FILE elements of `method`; the first failure's message, or null. */
  private async runFiles(plg: Plg, method: 'install' | 'remove', plgFile: string): Promise<string | null> {
    let n = 0;
    for (const f of plg.files) {
      n++;
      if (!filesFor({ ...plg, files: [f] }, method).length) continue;
      const name = f.Name ?? '';
      if (name) {
        await this.m.run('mkdir', ['-p', dirname(name)]);
        if (f.SHA256 && (await this.m.exists(name)) && (await this.sha256(name)) !== f.SHA256) {
          await this.m.run('rm', ['-f', name]);
        }
        if (!(await this.m.exists(name))) {
          if (f.INLINE !== undefined) {
            await this.m.write(name, `${f.INLINE.trim()}\n`);
          } else if (f.URL) {
            const error = await this.download(f.URL, name);
            if (error) {
              await this.m.run('rm', ['-f', name]);
              return error;
            }
            if (f.SHA256 && (await this.sha256(name)) !== f.SHA256) {
              await this.m.run('rm', ['-f', name]);
              return `bad file SHA256: ${name}`;
            }
          }
        }
      }
      if (f.Run) {
        let target = name;
        if (!name && f.INLINE !== undefined) {
          target = `/tmp/inline${n}-${basename(plgFile, '.plg')}.sh`;
          await this.m.write(target, f.INLINE);
        }
        const r = await this.m.sh(`${f.Run} ${sq(target)} 2>&1`, { timeoutMs: 120_000 });
        if (!name) await this.m.run('rm', ['-f', target]);
        this.out.push(r.stdout.replace(/\n$/, ''));
        if (r.code !== 0) return `run failed: '${f.Run}' returned ${r.code}`;
      }
    }
    return null;
  }

  private async register(file: string, plugin: string): Promise<void> {
    const target = `${BOOT}/${plugin}`;
    if (target !== file) await this.m.run('cp', [file, target]);
    await this.m.run('mkdir', ['-p', PLUGINS]);
    await this.m.run('ln', ['-s', target, `${PLUGINS}/${plugin}`]);
  }

  private async installedFile(link: string): Promise<string | null> {
    const r = await this.m.run('readlink', [link]);
    if (r.code !== 0) return null;
    const target = r.stdout.trim();
    if (!(await this.m.exists(target))) {
      await this.m.run('rm', ['-f', link]);
      return null;
    }
    return target;
  }

  private async load(file: string): Promise<Plg | null> {
    const text = await this.m.read(file);
    if (text === null) return null;
    try {
      return parsePlg(text);
    } catch {
      return null;
    }
  }

  private async download(url: string, to: string): Promise<string | null> {
    this.say(`plugin: downloading: ${basename(url)} ...`);
    await this.m.run('mkdir', ['-p', dirname(to)]);
    const r = await this.m.run('wget', ['-q', '--tries=1', '--timeout=10', '-O', to, url]);
    if (r.code !== 0) {
      await this.m.run('rm', ['-f', to]);
      return `${basename(url)} download failure: wget exit code ${r.code}`;
    }
    const size = await this.m.run('stat', ['-c', '%s', to]);
    if (size.stdout.trim() === '0') return `${basename(url)} download failure: zero-length file`;
    return null;
  }

  private async sha256(file: string): Promise<string> {
    return (await this.m.run('sha256sum', [file])).stdout.split(' ')[0] ?? '';
  }

  private say(line: string): void {
    this.out.push(line);
  }

  private fail(error: string): PluginResult {
    this.say(`plugin: ${error}`);
    return this.done(1);
  }

  private done(code: number): PluginResult {
    return { code, output: this.out.filter((l) => l !== '').join('\n') };
  }
}

/** PHP's strcmp sign on the bytes, as the plugin manager compares versions. */
function strcmp(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
