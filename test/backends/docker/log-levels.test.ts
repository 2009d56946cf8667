import { describe, expect, it } from 'vitest';
import { atLeast, detectLevel } from '../../../server/backends/docker/log-levels.js';

describe('detectLevel heuristics', () => {
  it.each([
    // key/value: logfmt, JSON, numeric pino/bunyan levels
    ['time=2025-06-01T12:00:00Z level=error msg="disk full"', 'error'],
    ['level=WARNING component=db', 'warn'],
    ['{"level":"info","msg":"listening on :8080"}', 'info'],
    ['{"msg":"x","severity": "ERROR","err":"boom"}', 'error'],
    ['{"lvl":"dbug"} level=debug', 'debug'],
    ['{"level":50,"time":1717243200000,"msg":"request failed"}', 'error'],
    ['{"level":40,"msg":"slow"}', 'warn'],
    ['{"level":30,"msg":"ok"}', 'info'],
    ['{"log.level":"warn","message":"x"}', 'warn'],
    // glog / klog
    ['E0601 12:00:00.123456    1 controller.go:42] sync failed', 'error'],
    ['W0601 12:00:00.123456    1 reflector.go:1] watch closed', 'warn'],
    ['I0601 12:00:00.123456    1 main.go:10] started', 'info'],
    // a level word opening the line
    ['Error: ENOENT: no such file or directory, open /config/app.json', 'error'],
    ['panic: runtime error: invalid memory address', 'error'],
    ['warning: deprecated option --foo', 'warn'],
    ['npm ERR! code ELIFECYCLE', 'error'],
    ['Traceback (most recent call last):', 'error'],
    ['Exception in thread "main" java.lang.NullPointerException', 'error'],
    // brackets
    ['[ERROR] Failed to connect to database', 'error'],
    ['2025/06/01 12:00:00 [error] 31#31: *1 connect() failed', 'error'],
    ['[Sun Jun 01 12:00:00 2025] [core:warn] [pid 9] AH00098: pid file overwritten', 'warn'],
    ['[s6-init] <notice> making user provided files available', 'info'],
    ['[ INFO ] ready', 'info'],
    // upper-case word near the start
    ['2025-06-01 12:00:00,123 ERROR [main] com.example.App - boom', 'error'],
    ['ERROR:root:could not open file', 'error'],
    ['2025-06-01T12:00:00.000Z\tWARN\tserver/handler.go:88\tslow request', 'warn'],
    ['12:00:00 | DEBUG | polling', 'debug'],
    ['2025-06-01 12:00:00 CRITICAL disk failure', 'error'],
  ])('%s → %s', (line, level) => {
    expect(detectLevel(line)).toBe(level);
  });

  it.each([
    'plain text without a level',
    'Processed 3 errors in the input file', // a word in a sentence is not a level
    'ERRORS=0 in this batch',
    'mirror sync complete',
    '12345',
    `${'x'.repeat(200)} ERROR late in a long line`, // past the first 160 characters
  ])('no level: %s', (line) => {
    expect(detectLevel(line)).toBeNull();
  });

  it('filters by minimum severity', () => {
    expect(atLeast('level=error', 'warn')).toBe(true);
    expect(atLeast('level=warn', 'warn')).toBe(true);
    expect(atLeast('level=info', 'warn')).toBe(false);
    expect(atLeast('level=debug', 'info')).toBe(false);
    expect(atLeast('[INFO] x', 'info')).toBe(true);
    expect(atLeast('no level here', 'info')).toBe(false);
  });
});
