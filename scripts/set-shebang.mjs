#!/usr/bin/env node
// Gives the built entry point a shebang carrying the production V8 flags from package.json
// (unraidMcp.nodeFlags), so `unraid-mcp serve` runs as lean as the plugin's service script runs it.
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';

const entry = 'dist/server/main.js';
const flags = JSON.parse(readFileSync('package.json', 'utf8')).unraidMcp.nodeFlags;
const body = readFileSync(entry, 'utf8').replace(/^#!.*\n/, '');
writeFileSync(entry, `#!/usr/bin/env -S node ${flags}\n${body}`);
chmodSync(entry, 0o755);
