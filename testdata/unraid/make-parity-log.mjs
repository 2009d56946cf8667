#!/usr/bin/env node
// Writes a parity-checks.log covering many years, in Unraid's formats (5-field lines for the first years,
// 7-field after), for the parity_history benchmark. Usage: node make-parity-log.mjs OUT [years]
import { writeFileSync } from 'node:fs';

const [out, yearsArg = '20'] = process.argv.slice(2);
if (!out) {
  console.error('usage: node make-parity-log.mjs OUT [years]');
  process.exit(2);
}
const years = Number(yearsArg);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n) => String(n).padStart(2, '0');
// Unraid's date: "2026 Nov  3 03:12:45" (day space-padded to two characters).
const stamp = (d) =>
  `${d.getFullYear()} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ` +
  `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;

const lines = [];
const start = new Date(2026 - years, 0, 4, 3, 0, 0);
const end = new Date(2026, 11, 1);
let i = 0;
for (let d = new Date(start); d < end; d = new Date(d.getTime() + 7 * 86400_000), i++) {
  const duration = 60_000 + ((i * 7919) % 20_000);
  const sizeKib = 15_625_879_500;
  const status = i % 53 === 0 ? -4 : 0;
  const errors = i % 97 === 0 ? i % 5 : 0;
  const when = new Date(d.getTime() + duration * 1000);
  if (d.getFullYear() < 2026 - years + 5) {
    lines.push(`${stamp(when)}|${duration}|${((sizeKib * 1024) / duration / 1e6).toFixed(1)} MB/s|${status}|${errors}`);
  } else {
    const action = i % 26 === 0 ? 'check' : 'check P';
    lines.push(`${stamp(when)}|${duration}|${Math.round((sizeKib * 1024) / duration)}|${status}|${errors}|${action}|${sizeKib}`);
  }
}
writeFileSync(out, lines.join('\n') + '\n');
console.log(`${lines.length} lines written to ${out}`);
