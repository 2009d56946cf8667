#!/usr/bin/env node
// Regenerates the README's tool, confirmation and environment tables from the built registry (run after a build).
import { readFileSync, writeFileSync } from 'node:fs';
const { toolTable, confirmTable, envTable, replaceSection } =
  await import('../dist/server/docs/readme-tables.js');
const { allTools } = await import('../dist/server/tools/index.js');
let readme = readFileSync('README.md', 'utf8');
readme = replaceSection(readme, 'tools', toolTable(allTools));
readme = replaceSection(readme, 'confirm', confirmTable(allTools));
readme = replaceSection(readme, 'env', envTable());
writeFileSync('README.md', readme);
console.log('README.md tables updated');
