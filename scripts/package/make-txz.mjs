// The Slackware package file: a tar of the staged tree, every entry root:root with fixed modes and the
// commit's time, names in byte order, compressed with xz — the same tree always gives the same bytes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { CACHE_DIR } from './settings.mjs';

/** xz settings fixed for reproducibility: one thread (multi-threaded xz writes other blocks), preset 6. */
const XZ_ARGS = ['-T1', '-6', '--check=crc64', '-c'];

/**
 * Sets the package's modes: directories and executables 0755, every other file 0644. A file is an
 * executable when `isExecutable(relativePath)` says so or its source already had an x bit.
 */
export function normaliseModes(root, isExecutable) {
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink())
        throw new Error(`package tree holds a symlink (${relative(root, path)}): doinst.sh makes links`);
      if (st.isDirectory()) {
        chmodSync(path, 0o755);
        walk(path);
      } else {
        const exec = (st.mode & 0o111) !== 0 || isExecutable(relative(root, path));
        chmodSync(path, exec ? 0o755 : 0o644);
      }
    }
  };
  chmodSync(root, 0o755);
  walk(root);
}

/** Every entry as makepkg lists them: `./`, then `./install`, `./usr/...`, sorted bytewise. */
function entryList(root) {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      out.push(`./${relative(root, path)}`);
      if (lstatSync(path).isDirectory()) walk(path);
    }
  };
  walk(root);
  return ['./', ...out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))];
}

/** The uncompressed tar of `root` (GNU format: no pax headers carrying access times). */
function tarOf(root, epoch) {
  return execFileSync(
    'tar',
    [
      '--create',
      '--format=gnu',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      `--mtime=@${epoch}`,
      '--no-recursion',
      '--null',
      '--files-from=-',
    ],
    {
      cwd: root,
      input: `${entryList(root).join('\0')}\0`,
      maxBuffer: 1 << 30,
      env: { ...process.env, LC_ALL: 'C' },
    },
  );
}

/** Offset and padded length of the data of the entry named `name` in a tar stream. */
function entryData(tar, name) {
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const entryName = header.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(
      header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0',
      8,
    );
    const padded = Math.ceil(size / 512) * 512;
    if (header[156] !== 0x4c /* 'L': GNU long name, the real header follows */ && entryName === name) {
      return { start: off + 512, length: padded };
    }
    off += 512 + padded;
  }
  throw new Error(`tar holds no entry ${name}`);
}

function xz(data) {
  return execFileSync('xz', XZ_ARGS, { input: data, maxBuffer: 1 << 30 });
}

/**
 * Compresses `data`, reusing an earlier result for the same bytes: xz with fixed settings is a pure
 * function of its input, so the cache changes nothing in the output, only the time (the Node binary
 * takes over a minute to compress on a small machine). Keyed by the xz version too.
 */
function xzCached(data) {
  const version = execFileSync('xz', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const key = createHash('sha256')
    .update(`${version}\0${XZ_ARGS.join(' ')}\0`)
    .update(data)
    .digest('hex');
  const file = join(CACHE_DIR, 'xz', `${key}.xz`);
  if (existsSync(file)) return readFileSync(file);
  const packed = xz(data);
  mkdirSync(join(CACHE_DIR, 'xz'), { recursive: true });
  writeFileSync(`${file}.tmp`, packed);
  renameSync(`${file}.tmp`, file);
  return packed;
}

/**
 * Writes `root` as a .txz to `file`. `bigEntry` (the Node binary, entry name as in the tar) is
 * compressed as its own xz stream between the streams of what comes before and after it: xz and tar
 * read concatenated streams as one, so installpkg sees one ordinary package.
 */
export function makeTxz(root, file, { epoch, bigEntry }) {
  const tar = tarOf(root, epoch);
  const parts = [];
  if (bigEntry) {
    const { start, length } = entryData(tar, bigEntry);
    parts.push(
      xz(tar.subarray(0, start)),
      xzCached(tar.subarray(start, start + length)),
      xz(tar.subarray(start + length)),
    );
  } else {
    parts.push(xz(tar));
  }
  const txz = Buffer.concat(parts);
  writeFileSync(file, txz);
  return { bytes: txz.length, tarBytes: tar.length, sha256: createHash('sha256').update(txz).digest('hex') };
}
