import type { FormValues } from './settings-fields.js';

/**
 * The power switch (POWER_TOOLS): system_reboot and system_shutdown are refused while it is off, which
 * it is in a fresh install. Kept in the form as "yes" / "no" like the other text-valued fields.
 */
export function withPowerSwitch(form: FormValues, settings: Record<string, unknown>): FormValues {
  return typeof settings.powerTools === 'boolean'
    ? { ...form, powerTools: settings.powerTools ? 'yes' : 'no' }
    : form;
}

/** The switch's part of the settings patch: only when it changed. */
export function powerSwitchPatch(form: FormValues, saved: FormValues): Record<string, unknown> {
  return form.powerTools !== undefined && form.powerTools !== saved.powerTools
    ? { powerTools: form.powerTools === 'yes' }
    : {};
}
