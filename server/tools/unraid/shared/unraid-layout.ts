import { BackendUnavailableError } from '../../../errors/backend-unavailable-error.js';
import type { ToolContext, UnraidLayout } from '../../context.js';

/** The layout's Unraid paths; a context built without them cannot reach emhttpd or the host's files. */
export function unraidLayout(ctx: ToolContext): UnraidLayout {
  const layout = ctx.deps.layout.unraid;
  if (!layout)
    throw new BackendUnavailableError('The Unraid control paths are not configured in this process.');
  return layout;
}
