import { Router } from 'express';
import { z } from 'zod';
import { SCOPES } from '../../vocabulary.js';
import { parseExpiry } from '../../tokens/parse-expiry.js';
import { createToken, listTokens, revokeToken, setTokenExpiry } from '../../tokens/token-commands.js';
import { TOKEN_NAME } from '../../tokens/token-file.js';
import type { AdminDeps } from '../admin-deps.js';
import { AdminError } from '../admin-error.js';
import { actorOf } from '../actor.js';
import { validate } from '../validate.js';

const expiresField = z.string().max(40).describe('30d, 12h, 90m, 8w, an ISO date, or "never"');
const createBody = z
  .object({
    name: z
      .string()
      .regex(TOKEN_NAME, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
    scope: z.enum(SCOPES),
    expires: expiresField.default('never'),
  })
  .strict();
const patchBody = z.object({ expires: expiresField }).strict();

function expiryOrThrow(text: string, now: Date): Date | null {
  try {
    return parseExpiry(text, now);
  } catch (err) {
    // The CLI's wording names its option; the page shows the reason next to the field itself.
    const message = (err as Error).message;
    throw new AdminError(400, message.replace(/^--expires/, 'expires'), [
      { field: 'expires', message: message.replace(/^--expires [^:]*: /, '') },
    ]);
  }
}

/** Tokens: list (never secrets), create (secret shown once), revoke, change expiry. */
export function tokenRoutes(deps: AdminDeps): Router {
  const r = Router();
  r.get('/', async (_req, res) => {
    res.json({ tokens: await listTokens(deps.configDir, deps.stateDir, deps.now()) });
  });
  r.post('/', async (req, res) => {
    const body = validate(createBody, req.body);
    const now = deps.now();
    const expires = expiryOrThrow(body.expires, now);
    const created = await createToken(deps.configDir, body.name, body.scope, expires, now).catch(
      (err: Error) => {
        throw new AdminError(/already exists/.test(err.message) ? 409 : 400, err.message, [
          { field: 'name', message: err.message },
        ]);
      },
    );
    await deps.recordEvent(actorOf(req), 'admin.token_created', {
      name: body.name,
      scope: body.scope,
      expires: created.record.expires,
    });
    res.status(201).json({
      token: {
        name: created.record.name,
        scope: created.record.scope,
        created: created.record.created,
        expires: created.record.expires,
      },
      secret: created.secret,
    });
  });
  r.delete('/:name', async (req, res) => {
    await revokeToken(deps.configDir, req.params.name).catch((err: Error) => {
      throw new AdminError(404, err.message);
    });
    await deps.recordEvent(actorOf(req), 'admin.token_revoked', { name: req.params.name });
    res.status(204).end();
  });
  r.patch('/:name', async (req, res) => {
    const body = validate(patchBody, req.body);
    const expires = expiryOrThrow(body.expires, deps.now());
    const updated = await setTokenExpiry(deps.configDir, req.params.name, expires).catch((err: Error) => {
      throw new AdminError(404, err.message);
    });
    await deps.recordEvent(actorOf(req), 'admin.token_expiry_changed', {
      name: updated.name,
      expires: updated.expires,
    });
    res.json({
      token: { name: updated.name, scope: updated.scope, created: updated.created, expires: updated.expires },
    });
  });
  return r;
}
