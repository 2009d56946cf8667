import { describe, expect, it } from 'vitest';
import { lineText, syslogMessage, YearInference } from '../../../server/backends/unraid/syslog-line.js';
import { classifySyslog } from '../../../server/backends/unraid/syslog-severity.js';

const at = (y: number, mo: number, d: number, h: number, mi: number, s: number) =>
  new Date(y, mo - 1, d, h, mi, s).getTime();

describe('syslog stamps and their year', () => {
  it('reads lines newest first, stepping the year back across New Year', () => {
    const years = new YearInference(at(2027, 1, 2, 9, 0, 0));
    expect(years.parse('Jan  2 08:59:59 Tower kernel: x').time).toBe(at(2027, 1, 2, 8, 59, 59));
    expect(years.parse('Jan  1 00:00:00 Tower kernel: x').time).toBe(at(2027, 1, 1, 0, 0, 0));
    expect(years.parse('Dec 31 23:59:59 Tower kernel: x').time).toBe(at(2026, 12, 31, 23, 59, 59));
    expect(years.parse('Mar  3 10:00:00 Tower kernel: x').time).toBe(at(2026, 3, 3, 10, 0, 0));
  });

  it('a newest line later than a day past the last write is from the year before', () => {
    const years = new YearInference(at(2027, 1, 2, 9, 0, 0));
    expect(years.parse('Dec 30 12:00:00 Tower kernel: x').time).toBe(at(2026, 12, 30, 12, 0, 0));
  });

  it('RFC 3339 stamps carry their own year and zone; anything else has no time', () => {
    const years = new YearInference(at(2027, 1, 2, 9, 0, 0));
    const iso = years.parse('2026-12-07T08:00:01.123456+01:00 Tower emhttpd: spinning down /dev/sdd');
    expect(iso.time).toBe(Date.parse('2026-12-07T07:00:01.123Z'));
    expect(syslogMessage(iso.text, iso.headerEnd)).toBe('spinning down /dev/sdd');
    for (const text of [
      ' <IRQ>',
      'Foo  7 08:00:01 Tower x: y',
      'Dec 32 08:00:01 Tower x: y',
      'Dec  7 25:00:01 Tower x: y',
      'Dec  7 08:00:01Tower',
      '',
    ])
      expect(years.parse(text).time, text).toBeNull();
  });

  it('the message follows the host and the program, with or without a pid', () => {
    const years = new YearInference(at(2027, 1, 2, 9, 0, 0));
    for (const [line, message] of [
      ['Jan  1 00:03:18 Tower kernel: md: disk3 read error', 'md: disk3 read error'],
      ['Jan  1 07:02:41 Tower sshd[30111]: Connection closed', 'Connection closed'],
      ['Jan  1 07:02:41 Tower no program here', 'no program here'],
    ]) {
      const p = years.parse(line as string);
      expect(syslogMessage(p.text, p.headerEnd)).toBe(message);
    }
  });
});

describe('line text', () => {
  it('NULs or mostly control bytes are binary; a few control characters are escaped', () => {
    expect(lineText(Buffer.from([0x41, 0, 0x42]))).toBeNull();
    expect(lineText(Buffer.from([1, 2, 3, 0x41]))).toBeNull();
    expect(lineText(Buffer.from('a\tb\x1b[0m\r'))).toBe('a\tb\\x1b[0m');
    expect(lineText(Buffer.from([0x61, 0xc3, 0x28]))).toBe('a\ufffd(');
  });
});

describe('severity from the words of a line', () => {
  it.each([
    ['ata5.00: failed command: READ FPDMA QUEUED', 'error'],
    ['I/O error, dev sdd, sector 7003693328', 'error'],
    ['Call Trace:', 'error'],
    ['Out of memory: Killed process 1234 (qemu)', 'error'],
    ['BTRFS error (device loop2): corrupt 1', 'error'],
    ['ata5: hard resetting link', 'warning'],
    ['WARNING: CPU: 3 PID: 1423', 'warning'],
    ['CIFS: VFS: \\\\NAS2 has not responded in 180 seconds', 'warning'],
    ['nfsd: client timed out', 'warning'],
    ['Parity check finished (0 errors)', 'info'],
    ['mover: finished without errors', 'info'],
    ['smbd_smb2_request_error_ex', 'info'],
    ['spinning down /dev/sdd', 'info'],
  ])('%s → %s', (message, severity) => {
    expect(classifySyslog(message)).toBe(severity);
  });
});
