import { describe, expect, it } from 'vitest';
import { vmNameProblem } from '../../../server/backends/vm/vm-name.js';
import { toVmError, VM_DOWN } from '../../../server/backends/vm/vm-errors.js';

describe('vmNameProblem', () => {
  it('accepts the names Unraid owners give their VMs', () => {
    for (const name of [
      'Windows 11 (Gaming)',
      'Ubuntü Server 24.04',
      'Home Assistant',
      'macOS Sonoma',
      'テスト VM',
      "Bob's VM & co.",
    ])
      expect(vmNameProblem(name)).toBeNull();
  });

  it('refuses control and invisible characters, "/", edge spaces, a leading "-" and over-long names', () => {
    expect(vmNameProblem('')).toBe('is empty');
    expect(vmNameProblem('bell\u0007')).toMatch(/control/);
    expect(vmNameProblem('line\nbreak')).toMatch(/control/);
    expect(vmNameProblem('zero\u200bwidth')).toMatch(/invisible/);
    expect(vmNameProblem('a/b')).toBe('contains "/"');
    expect(vmNameProblem(' padded')).toMatch(/space/);
    expect(vmNameProblem('--help')).toBe('starts with "-"');
    expect(vmNameProblem('..')).toBe('is "." or ".."');
    expect(vmNameProblem('x'.repeat(201))).toMatch(/longer than 200/);
  });
});

describe('toVmError', () => {
  const map = (message: string) => {
    const e = toVmError(new Error(message), 'Starting VM "x"');
    return [e.code, e.message];
  };

  it('says the VM service is down for every way a libvirt connection fails', () => {
    for (const m of [
      "Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory",
      'internal error: client socket is closed',
      'End of file while reading data: Input/output error',
      'Cannot recv data: Connection reset by peer',
    ])
      expect(map(m)).toEqual(['backend_unavailable', VM_DOWN]);
  });

  it('turns libvirt reasons into not found, conflict or invalid input, without its jargon prefixes', () => {
    expect(map('Domain not found: no domain with matching uuid')).toEqual([
      'not_found',
      'Starting VM "x": Domain not found: no domain with matching uuid.',
    ]);
    expect(map('Requested operation is not valid: domain is already running')).toEqual([
      'conflict',
      'Starting VM "x": domain is already running.',
    ]);
    expect(map("operation failed: domain 'x' already exists with uuid 1")).toEqual([
      'conflict',
      'Starting VM "x": domain \'x\' already exists with uuid 1.',
    ]);
    expect(
      map(
        'unsupported configuration: IDE controllers are unsupported for this QEMU binary or machine type',
      )[0],
    ).toBe('invalid_input');
    expect(map('something odd happened')).toEqual([
      'backend_error',
      'Starting VM "x" failed: something odd happened.',
    ]);
  });
});
