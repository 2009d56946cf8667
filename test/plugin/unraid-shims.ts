import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SeedFile } from './scratch-machine.js';

/** A script of shims/: Slackware's package tools, the WebGUI's notify and logger, as far as a plugin uses them. */
const shim = (name: string) => readFileSync(join(import.meta.dirname, 'shims', name), 'utf8');

/** The files that make the scratch machine an Unraid of `unraidVersion` for the plugin manager and the .plg. */
export function unraidShims(unraidVersion: string): SeedFile[] {
  return [
    { path: 'etc/unraid-version', content: `version="${unraidVersion}"\n` },
    { path: 'sbin/upgradepkg', content: shim('upgradepkg'), mode: 0o755 },
    { path: 'sbin/removepkg', content: shim('removepkg'), mode: 0o755 },
    { path: 'usr/local/emhttp/webGui/scripts/notify', content: shim('notify'), mode: 0o755 },
    { path: 'usr/bin/logger', content: shim('logger'), mode: 0o755 },
  ];
}
