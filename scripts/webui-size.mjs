#!/usr/bin/env node
// Prints the WebGUI bundle's size (JS + CSS, raw and gzipped) and fails the build when the gzipped
// total is over the budget (issue #13: 40 KB), so a heavy dependency cannot slip in unnoticed.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_GZ_BYTES = 40 * 1024;
const dir = resolve(import.meta.dirname, '../dist/webui');
const files = ['unraid-mcp.js', 'unraid-mcp.css'];

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let rawTotal = 0;
let gzTotal = 0;
for (const name of files) {
  let data;
  try {
    data = readFileSync(resolve(dir, name));
  } catch {
    console.error(`webui: ${name} is missing from dist/webui (run vite build -c webui/vite.config.ts)`);
    process.exit(1);
  }
  const gz = gzipSync(data, { level: 9 }).length;
  rawTotal += data.length;
  gzTotal += gz;
  console.log(`webui: ${name.padEnd(15)} ${kb(data.length).padStart(9)} raw ${kb(gz).padStart(9)} gzipped`);
}
console.log(
  `webui: total           ${kb(rawTotal).padStart(9)} raw ${kb(gzTotal).padStart(9)} gzipped (budget ${kb(BUDGET_GZ_BYTES)})`,
);
if (gzTotal > BUDGET_GZ_BYTES) {
  console.error(`webui: the bundle is ${kb(gzTotal - BUDGET_GZ_BYTES)} over its gzipped budget`);
  process.exit(1);
}
