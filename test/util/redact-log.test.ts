import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/log.js';

/** The logger redacts like everything else: a log line is one more way out of the process. */
function capture() {
  const lines: string[] = [];
  const log = createLogger('debug', (l) => lines.push(l));
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

describe('createLogger redaction', () => {
  it('hides secret-named fields at any depth, secret-shaped strings and the message itself', () => {
    const { log, lines, parsed } = capture();
    log.info(`pulled with ghp_${'a'.repeat(36)}`, {
      password: 'hunter2',
      nested: { env: ['DB_PASSWORD=hunter3', 'TZ=Europe/Berlin'], token: 42, url: 'https://u:hunter4@x/y' },
      puid: 99,
    });
    expect(lines.join('')).not.toMatch(/hunter|ghp_a/);
    expect(parsed()[0]).toMatchObject({
      msg: 'pulled with [REDACTED]',
      password: '[REDACTED]',
      nested: {
        env: ['DB_PASSWORD=[REDACTED]', 'TZ=Europe/Berlin'],
        token: '[REDACTED]',
        url: 'https://u:[REDACTED]@x/y',
      },
      puid: 99,
    });
  });

  it("hides secrets in an error's message and stack, and in argument lists", () => {
    const { log, lines, parsed } = capture();
    const err = new Error('mysql -uroot -phunter2 failed: password=hunter3');
    log.error('tool failed', { err, cmd: ['app', '--password', 'hunter4', '--port', '80'] });
    expect(lines.join('')).not.toContain('hunter');
    const line = parsed()[0] as Record<string, any>;
    expect(line.err).toMatchObject({
      name: 'Error',
      message: 'mysql -uroot -p[REDACTED] failed: password=[REDACTED]',
    });
    expect(line.err.stack).toContain('-p[REDACTED]');
    expect(line.cmd).toEqual(['app', '--password', '[REDACTED]', '--port', '80']);
  });

  it('still keeps each entry on one line', () => {
    const { log, lines } = capture();
    log.warn('a\nb', { note: 'c\r\nd' });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.trimEnd()).not.toMatch(/[\r\n]/);
  });
});
