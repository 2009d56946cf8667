import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import {
  auditRecords,
  connect,
  createToken,
  MAIN,
  makeServiceHost,
  startSidecar,
  type ServiceHost,
  type Sidecar,
} from './service-host.js';

/**
 * The rc script's stop: SIGTERM to a real sidecar with a tool call still running. The call is not
 * left hanging and not lost from the audit log: it gets an answer, its intent and outcome are on
 * record, and the process exits 0 before the rc script's SIGKILL deadline.
 *
 * The call is held inside the tool: Docker's socket accepts the request and never answers (a hung
 * dockerd), so docker_list runs longer than the shutdown is willing to wait for it.
 */
/** What the rc script waits after SIGTERM before SIGKILL (the service's own bound is about 13 s). */
const RC_KILL_DEADLINE_MS = 20_000;

let host: ServiceHost;
let srv: Sidecar;
let hungDocker: Server;

beforeAll(async () => {
  host = await makeServiceHost({ arrayStarted: false });
  const socket = join(host.root, 'hung-docker.sock');
  hungDocker = createServer(() => {
    // Accepts and reads the request; never answers.
  });
  await new Promise<void>((r) => hungDocker.listen(socket, r));
  srv = await startSidecar(host, { DOCKER_HOST: `unix://${socket}` });
}, 30_000);

afterAll(async () => {
  if (srv?.child.exitCode === null) srv.child.kill('SIGKILL');
  hungDocker?.close();
});

describe('stopping the service', () => {
  it('answers and audits an in-flight call, then exits 0 within the deadline', async () => {
    const client = await connect(srv.url, await createToken(host, 'agent'));
    const answer = client.callTool({ name: 'docker_list', arguments: {} }).then(
      (r) => ({ ok: true as const, r }),
      (err: Error) => ({ ok: false as const, message: err.message }),
    );
    // Running: its intent is on record and it has not answered.
    let intent: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !intent; i++) {
      intent = (await auditRecords(host.ramAudit)).find(
        (r) => r.tool === 'docker_list' && r.stage === 'intent',
      );
      if (!intent) await new Promise((r) => setTimeout(r, 50));
    }
    expect(intent).toBeDefined();

    const started = Date.now();
    srv.child.kill('SIGTERM');
    const code = await Promise.race([
      srv.exited,
      new Promise<'still running'>((r) => setTimeout(() => r('still running'), RC_KILL_DEADLINE_MS)),
    ]);
    const tookMs = Date.now() - started;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(RC_KILL_DEADLINE_MS);

    // The client was told the service is stopping, not left waiting.
    const got = await answer;
    const text = got.ok ? JSON.stringify(got.r) : got.message;
    expect(text).toMatch(/stopping|shut/i);

    const records = await auditRecords(host.ramAudit);
    const outcome = records.find((r) => r.stage === 'outcome' && r.intent === (intent as { id: string }).id);
    expect(outcome).toMatchObject({ tool: 'docker_list', result: { status: 'error' } });
    // The log was closed cleanly after it, its chain intact (checked by the CLI, the service gone).
    const verify = spawnSync(process.execPath, [MAIN, 'audit', 'verify'], {
      env: host.env,
      encoding: 'utf8',
    });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  }, 40_000);
});
