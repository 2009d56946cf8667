import { describe, expect, it } from 'vitest';
import { parseHash } from '../../webui/routes.js';
import { problemsFor, otherProblems } from '../../webui/problems.js';
import { toForm, toPatch } from '../../webui/models/settings-fields.js';
import { accessPatch, draftFrom, patternsOf, rulesOf } from '../../webui/models/access-draft.js';
import type { Settings } from '../../webui/api/types.js';

const settings: Settings = {
  readOnly: false,
  toolsets: ['system', 'docker', 'vm'],
  allowedHosts: ['tower.example.net'],
  confirmModes: { docker_stop: 'approve' },
  filters: { containers: { allow: [], deny: ['plex*'] }, vms: { allow: [], deny: [] } },
  protected: { containers: ['database'], vms: ['Windows 11 (Gaming)'] },
  responseCapBytes: 40 * 1024,
  sessionIdleMs: 30 * 60_000,
  maxSessions: 64,
};

describe('hash routes', () => {
  it('names a view, defaults to status', () => {
    expect(parseHash('#approvals')).toBe('approvals');
    expect(parseHash('#/Audit?x=1')).toBe('audit');
    expect(parseHash('')).toBe('status');
    expect(parseHash('#nothing')).toBe('status');
  });
});

describe('field problems', () => {
  const problems = [
    { field: 'filters.containers.deny[2]', message: 'unclosed [' },
    { field: 'filters.containers.deny', message: 'too many' },
    { field: 'confirmModes.docker_stop', message: 'must be one of none, token, approve' },
    { field: 'colour', message: 'unknown field' },
  ];
  it('are placed at their field, element indexes as line numbers', () => {
    expect(problemsFor(problems, 'filters.containers.deny')).toBe('line 3: unclosed [; too many');
    expect(problemsFor(problems, 'filters.containers.allow')).toBeNull();
    expect(problemsFor(problems, 'confirmModes')).toBe('docker_stop: must be one of none, token, approve');
  });
  it('none is lost: the rest are listed apart', () => {
    expect(otherProblems(problems, ['filters.containers.deny', 'confirmModes'])).toEqual([
      { field: 'colour', message: 'unknown field' },
    ]);
  });
});

describe('Settings form', () => {
  it('shows owner units and sends only changes in the sidecar’s units', () => {
    const saved = toForm(settings);
    expect(saved).toMatchObject({
      responseCapBytes: '40',
      sessionIdleMs: '30',
      maxSessions: '64',
      allowedHosts: 'tower.example.net',
    });
    expect(saved.toolTimeoutMs).toBeUndefined();
    const { patch, problems } = toPatch(
      { ...saved, sessionIdleMs: '45', allowedHosts: 'a.lan, b.lan\n\nc.lan' },
      saved,
    );
    expect(problems).toEqual([]);
    expect(patch).toEqual({ sessionIdleMs: 45 * 60_000, allowedHosts: ['a.lan', 'b.lan', 'c.lan'] });
  });
  it('rejects what is not a whole number before asking the sidecar', () => {
    const saved = toForm(settings);
    const { patch, problems } = toPatch(
      { ...saved, maxSessions: '12.5', responseCapBytes: 'big', port: '80a' },
      saved,
    );
    expect(patch).toEqual({});
    expect(problems).toEqual([
      { field: 'maxSessions', message: 'must be a whole number of sessions' },
      { field: 'responseCapBytes', message: 'must be a whole number of KiB' },
      { field: 'port', message: 'must be a whole number from 1 to 65535' },
    ]);
  });
});

describe('Access draft', () => {
  it('one pattern per line, blank lines dropped, names kept as typed', () => {
    expect(patternsOf('plex*\n\n  \nWindows 11 (Gaming)\n')).toEqual(['plex*', 'Windows 11 (Gaming)']);
  });
  it('round-trips the rules and clears removed confirmation overrides with null', () => {
    const d = draftFrom(settings);
    expect(rulesOf(d)).toEqual({ filters: settings.filters, protected: settings.protected });
    const { docker_stop: _gone, ...rest } = d.confirmModes;
    const patch = accessPatch(
      { ...d, confirmModes: { ...rest, vm_start: 'token' }, readOnly: true },
      settings,
    );
    expect(patch).toMatchObject({ readOnly: true, confirmModes: { docker_stop: null, vm_start: 'token' } });
  });
});
