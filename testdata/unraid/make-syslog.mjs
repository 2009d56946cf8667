#!/usr/bin/env node
// Writes a large syslog in Unraid's format (`Dec  7 08:00:01 Tower kernel: …`, no year, no priority) for
// the syslog_read test and benchmark: one line a second up to END, cycling through lines a real server
// writes (kernel, emhttpd, smbd, crond, docker), with a disk warning or error now and then.
// Usage: node make-syslog.mjs OUT [megabytes] [end ISO time]   (defaults: 500 MB, now)
// As a module: writeSyslog(path, { megabytes, end }) → { lines, bytes }.
import { closeSync, openSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n) => String(n).padStart(2, '0');
/** Unraid's stamp, server local time: month, space-padded day, time. */
export const syslogStamp = (d) =>
  `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ` +
  `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;

/** What a day on an Unraid server logs; `%d` is replaced by a number that changes line to line. */
const ROUTINE = [
  'crond[1789]: exit status 1 from user root /usr/local/sbin/mover &> /dev/null',
  'emhttpd: read SMART /dev/sd%d',
  'kernel: br0: port 2(vethd%d) entered forwarding state',
  'smbd[%d]: [2026/12/01 03:00:01.123456,  0] ../../source3/smbd/server.c:1741(main)',
  'emhttpd: spinning down /dev/sd%d',
  'kernel: docker0: port 1(veth%d) entered blocking state',
  'rsyslogd: action \'action-0-builtin:omfwd\' resumed (module \'builtin:omfwd\') [v8.2102.0 try https://www.rsyslog.com/e/2359 ]',
  'dhcpcd[1502]: br0: rebinding lease of 192.168.1.%d',
  'ntpd[1650]: kernel reports TIME_ERROR: 0x%d: Clock Unsynchronized',
  'unassigned.devices: Mounting partition \'sdh%d\' at mountpoint \'/mnt/disks/backup\'...',
];
/** Every 997th line a warning, every 4999th an error — the kind syslog_read's severity filter finds. */
const WARNING = 'kernel: ata%d: hard resetting link';
const ERROR = 'kernel: blk_update_request: I/O error, dev sdd, sector %d op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0';

export function lineFor(i, host = 'Tower') {
  const n = String((i * 7919) % 100_000);
  const tpl = i % 4999 === 0 ? ERROR : i % 997 === 0 ? WARNING : ROUTINE[i % ROUTINE.length];
  return `${host} ${tpl.replace('%d', n)}`;
}

export function writeSyslog(path, { megabytes = 500, end = new Date(), host = 'Tower' } = {}) {
  const target = megabytes * 1024 * 1024;
  // Estimate the line count from an average line, then write oldest first, one line a second up to `end`.
  const avg = Array.from({ length: 1000 }, (_, i) => syslogStamp(end).length + 2 + lineFor(i, host).length).reduce((a, b) => a + b) / 1000;
  // A little over the estimate, so the file is at least `megabytes` long.
  const lines = Math.ceil((target / avg) * 1.005);
  const fd = openSync(path, 'w');
  let bytes = 0;
  let chunk = '';
  let stampSecond = -1;
  let stamp = '';
  const endMs = Math.floor(end.getTime() / 1000) * 1000;
  try {
    for (let i = 0; i < lines; i++) {
      const ms = endMs - (lines - 1 - i) * 1000;
      if (ms !== stampSecond) {
        stamp = syslogStamp(new Date(ms));
        stampSecond = ms;
      }
      chunk += `${stamp} ${lineFor(i, host)}\n`;
      if (chunk.length > 1 << 20) {
        bytes += writeSync(fd, chunk);
        chunk = '';
      }
    }
    if (chunk) bytes += writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return { lines, bytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, mb = '500', endText] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node make-syslog.mjs OUT [megabytes] [end ISO time]');
    process.exit(2);
  }
  const r = writeSyslog(out, { megabytes: Number(mb), end: endText ? new Date(endText) : new Date() });
  console.log(JSON.stringify(r));
}
