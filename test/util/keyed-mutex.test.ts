import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../server/util/keyed-mutex.js';

describe('KeyedMutex', () => {
  it('serialises work on one key and runs other keys in parallel', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const job = (key: string, name: string, ms: number) =>
      m.run(key, async () => {
        log.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}:end`);
      });
    await Promise.all([job('plex', 'a', 30), job('plex', 'b', 5), job('db', 'c', 5)]);
    expect(log.indexOf('a:end')).toBeLessThan(log.indexOf('b:start'));
    expect(log.indexOf('c:end')).toBeLessThan(log.indexOf('a:end'));
    expect(m.size).toBe(0);
  });

  it('releases the key when work fails', async () => {
    const m = new KeyedMutex();
    await expect(m.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(m.run('k', async () => 42)).resolves.toBe(42);
  });
});
