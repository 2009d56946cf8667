#!/usr/bin/env node
// The whole test suite, as the README's second command: dependencies, build, type checks, lint, and
// every test against real components (a private dockerd and a libvirtd with qemu are started by the
// vitest global setup).
import { execFileSync } from 'node:child_process';
import { ensureSystemPackages } from './ensure-system-packages.mjs';
import { npmInstallIfNeeded } from './npm-install.mjs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

try {
  // System packages first: `npm ci` builds @unraid/libvirt against libvirt-dev (pkg-config, g++).
  ensureSystemPackages({ required: true });
  npmInstallIfNeeded();
  run('npm', ['run', 'build']);
  run('npm', ['run', 'typecheck']);
  run('npm', ['run', 'lint']);
  run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
} catch (err) {
  process.exitCode = typeof err.status === 'number' && err.status !== 0 ? err.status : 1;
  if (!err.status) console.error(err.message);
}
