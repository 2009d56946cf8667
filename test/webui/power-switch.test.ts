import { describe, expect, it } from 'vitest';
import { toForm, toPatch } from '../../webui/models/settings-fields.js';
import { powerSwitchPatch, withPowerSwitch } from '../../webui/models/power-switch.js';

describe('the power switch on the Settings view', () => {
  const settings = { powerTools: false, maxSessions: 64, allowedHosts: [] };

  it('is in the form as yes / no, and absent when the sidecar has no such setting', () => {
    expect(withPowerSwitch(toForm(settings), settings).powerTools).toBe('no');
    expect(withPowerSwitch({}, { powerTools: true }).powerTools).toBe('yes');
    expect(withPowerSwitch({}, { maxSessions: 64 })).toEqual({});
  });

  it('is patched as a boolean only when it changed, next to the other fields', () => {
    const saved = withPowerSwitch(toForm(settings), settings);
    expect(powerSwitchPatch(saved, saved)).toEqual({});
    const form = { ...saved, powerTools: 'yes', maxSessions: '10' };
    const { patch } = toPatch(form, saved);
    expect({ ...patch, ...powerSwitchPatch(form, saved) }).toEqual({ maxSessions: 10, powerTools: true });
    expect(powerSwitchPatch({ ...saved, powerTools: 'no' }, { ...saved, powerTools: 'yes' })).toEqual({
      powerTools: false,
    });
  });
});
