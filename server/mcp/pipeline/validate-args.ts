import type { CallAnswer } from '../../vocabulary.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { describeZodError } from '../describe-zod-error.js';
import { refuse } from './refusal.js';
import type { Step } from './tool-call.js';

type WithConfirmation = Record<string, unknown> & { confirmation_token?: string; confirmation_id?: string };

/** Strict validation against the tool's input schema; the confirmation arguments are taken aside (tools never see them). */
export const validateArgs: Step<CallAnswer> = (next) => async (call) => {
  const parsed = call.tool.inputWithConfirmation.safeParse(call.req.args ?? {});
  if (!parsed.success) {
    throw refuse(
      'invalid_arguments',
      'invalid',
      new InvalidInputError(`Invalid arguments for ${call.tool.name}: ${describeZodError(parsed.error)}`),
    );
  }
  const { confirmation_token: token, confirmation_id: id, ...args } = parsed.data as WithConfirmation;
  call.args = args;
  call.confirmationToken = token;
  call.confirmationId = id;
  return next(call);
};
