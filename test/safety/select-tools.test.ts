import { describe, expect, it } from 'vitest';
import { selectTools, whyUnavailable } from '../../server/safety/select-tools.js';
import { testTools, testAdminWrite, testEcho, testSlow } from '../helpers/test-tools.js';

const all = { toolsets: ['system', 'docker', 'vm'] as const, readOnly: false };

describe('selectTools', () => {
  it('gives each scope the tools at or below it', () => {
    const names = (scope: 'read' | 'operate' | 'admin') =>
      selectTools(testTools, { ...all, scope }).map((t) => t.name);
    expect(names('read')).toEqual(['test_echo', 'test_big_list', 'test_broken', 'test_bad_output']);
    expect(names('operate')).toEqual([
      'test_echo',
      'test_big_list',
      'test_slow',
      'test_broken',
      'test_bad_output',
    ]);
    expect(names('admin')).toHaveLength(testTools.length);
  });

  it('read-only wins over the admin scope', () => {
    expect(whyUnavailable(testAdminWrite, { ...all, readOnly: true, scope: 'admin' })?.rule).toBe(
      'read_only',
    );
    expect(whyUnavailable(testEcho, { ...all, readOnly: true, scope: 'read' })).toBeNull();
  });

  it('a switched-off toolset removes its tools for every scope', () => {
    expect(whyUnavailable(testSlow, { toolsets: ['system'], readOnly: false, scope: 'admin' })?.rule).toBe(
      'toolset_disabled',
    );
  });
});
