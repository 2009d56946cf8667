import { signal } from '@preact/signals';
import { ApiClient, ApiError, type ClientConfig } from '../api/client.js';

/** False once the bridge said the admin socket is absent (`not_running`); true again when it answers. */
export const serviceRunning = signal(true);
export const starting = signal(false);
export const startError = signal<string | null>(null);

let client: ApiClient | null = null;

/** Set once by main.tsx from the mount element's data attributes. */
export function initApi(cfg: Omit<ClientConfig, 'onReachable'>): ApiClient {
  client = new ApiClient({
    ...cfg,
    onReachable: (running) => {
      serviceRunning.value = running;
    },
  });
  return client;
}

export function api(): ApiClient {
  if (!client) throw new Error('initApi() was not called');
  return client;
}

/** The message to show for a failed request. */
export function messageOf(err: unknown): string {
  return err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err);
}

/** Starts the service through the rc script, then waits until its admin API answers (up to 15 s). */
export async function startService(afterStart: () => Promise<unknown>): Promise<void> {
  starting.value = true;
  startError.value = null;
  try {
    await api().start();
    for (let i = 0; i < 30; i++) {
      try {
        await afterStart();
        if (serviceRunning.value) return;
      } catch {
        // Still starting: try again shortly.
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    startError.value =
      'The service was started but its admin API did not answer within 15 seconds. See its log.';
  } catch (err) {
    startError.value = messageOf(err);
  } finally {
    starting.value = false;
  }
}
