import { describe, expect, it } from 'vitest';
import { toForm, toPatch } from '../../webui/models/settings-fields.js';

const saved = { port: 8765, bind: '0.0.0.0', http: true, https: true, httpsPort: 8767, allowedHosts: [] };

describe('the Settings form: HTTP, HTTPS and the HTTPS port', () => {
  it('shows the switches as yes/no and the port as text', () => {
    expect(toForm(saved)).toMatchObject({ http: 'yes', https: 'yes', httpsPort: '8767' });
    expect(toForm({ ...saved, http: false })).toMatchObject({ http: 'no' });
  });

  it('sends only what changed, in the sidecar units', () => {
    const form = toForm(saved);
    expect(toPatch({ ...form, https: 'no', httpsPort: ' 9443 ' }, form)).toEqual({
      patch: { https: false, httpsPort: 9443 },
      problems: [],
    });
    expect(toPatch(form, form)).toEqual({ patch: {}, problems: [] });
  });

  it('refuses a port that is not a number next to its field, without sending it', () => {
    const form = toForm(saved);
    expect(toPatch({ ...form, httpsPort: '84a3', http: 'no' }, form)).toEqual({
      patch: { http: false },
      problems: [{ field: 'httpsPort', message: 'must be a whole number from 1 to 65535' }],
    });
  });

  it('leaves the fields out against a sidecar that has none', () => {
    const form = toForm({ port: 8765, bind: '0.0.0.0', allowedHosts: [] });
    expect(form).not.toHaveProperty('https');
    expect(toPatch(form, form).patch).toEqual({});
  });
});
