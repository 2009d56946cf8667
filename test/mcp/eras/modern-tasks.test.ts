import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { safetyTools } from '../../helpers/test-tools.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';
import { onTarget, waitForPending } from '../../helpers/confirm-flow.js';
import { modernRequest, TASKS_EXTENSION } from '../../helpers/modern-rpc.js';

/**
 * An approval the owner has not decided yet, for a 2026-07-28 client that declares the Tasks
 * extension: the call answers at once with a task; the client polls tasks/get; the owner's decision
 * in the admin API (the WebGUI's and the CLI's way in) completes it — with the tool's result, or
 * with the refusal and the owner's reason. Tasks belong to the token that started them.
 */
const td = testDocker();
let srv: TestServer;
const TASKS = { extensions: { [TASKS_EXTENSION]: {} } };
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

beforeAll(async () => {
  for (const name of ['tk-approve', 'tk-deny', 'tk-cancel', 'tk-plain']) await td.createContainer(name);
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: safetyTools,
    tokens: [
      { name: 'test', scope: 'admin' },
      { name: 'other', scope: 'admin' },
    ],
    settingsCfg: 'APPROVAL_WAIT_SECONDS="5"\n',
  });
});
afterAll(async () => {
  await srv.close();
  await td.cleanup();
});

/** Calls test_remove on `id` from a client that takes tasks; returns the task handle. */
async function startTask(id: string) {
  const reply = await modernRequest(srv, {
    method: 'tools/call',
    capabilities: TASKS,
    params: { name: 'test_remove', arguments: { id } },
  });
  expect(reply.status).toBe(200);
  return reply.body.result as {
    resultType: string;
    taskId: string;
    status: string;
    statusMessage: string;
  } & Record<string, unknown>;
}

const getTask = (taskId: string, token = 'test') =>
  modernRequest(srv, { method: 'tasks/get', token, capabilities: TASKS, params: { taskId } });

/** Polls tasks/get until the task leaves "working". */
async function settled(taskId: string) {
  for (let i = 0; i < 200; i++) {
    const task = (await getTask(taskId)).body.result;
    if (task.status !== 'working') return task;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`task ${taskId} still working`);
}

describe('approvals as tasks (Tasks extension)', () => {
  it('answers at once with a task; polled to completion once the owner approves', async () => {
    const started = Date.now();
    const task = await startTask('tk-approve');
    // At once: not after the approval wait (5 s here).
    expect(Date.now() - started).toBeLessThan(1500);
    const id = (await waitForPending(srv, onTarget('tk-approve'))).id;
    expect(task).toMatchObject({ resultType: 'task', status: 'working', pollIntervalMs: 2000 });
    expect(task.taskId).toMatch(/^task_[\w-]{24}$/);
    expect(task.statusMessage).toContain(`confirmation ${id}`);
    expect(task.statusMessage).toContain(`unraid-mcp confirm approve ${id}`);
    expect((await getTask(task.taskId)).body.result).toMatchObject({
      taskId: task.taskId,
      status: 'working',
    });

    expect((await srv.admin('POST', `/api/confirmations/${id}/approve`, {})).status).toBe(200);
    const done = await settled(task.taskId);
    expect(done.status).toBe('completed');
    expect(done.result.structuredContent).toMatchObject({ acted: 'removed tk-approve' });

    // The same records as a 2025 client's confirmation_id flow: the waiting call, then the approved one.
    const records = (await readAudit(srv.env.auditDir)).filter(
      (r) => (r.args as { id?: string } | undefined)?.id === 'tk-approve',
    );
    expect(records.filter((r) => r.stage === 'outcome').map((r) => r.confirmation?.outcome)).toEqual([
      'pending',
      'approved',
    ]);
    const deferred = (await readAudit(srv.env.auditDir)).filter(
      (r) => r.event === 'confirmation.deferred_to_task',
    );
    expect(deferred.map((r) => r.details)).toContainEqual({ id });
  });

  it("completes with the refusal and the owner's reason when the owner denies", async () => {
    const task = await startTask('tk-deny');
    const id = (await waitForPending(srv, onTarget('tk-deny'))).id;
    await srv.admin('POST', `/api/confirmations/${id}/deny`, { reason: 'not that one' });
    const done = await settled(task.taskId);
    expect(done.status).toBe('completed');
    expect(done.result.isError).toBe(true);
    expect(text(done.result)).toBe('The owner denied this action (not that one). Nothing was done.');
  });

  it("keeps a task to its token: another token's tasks/get, tasks/update and tasks/cancel find nothing", async () => {
    const task = await startTask('tk-cancel');
    for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
      const reply = await modernRequest(srv, {
        method,
        token: 'other',
        capabilities: TASKS,
        params: { taskId: task.taskId, ...(method === 'tasks/update' ? { inputResponses: {} } : {}) },
      });
      expect(reply.body.error).toMatchObject({
        code: -32602,
        message: expect.stringMatching(/^Unknown task "task_/),
      });
    }
    expect((await getTask(task.taskId)).body.result.status).toBe('working');
  });

  it('is cancelled by its client: acknowledged, the task ends "cancelled" without acting, the request is withdrawn', async () => {
    const task = await startTask('tk-cancel');
    const id = (await waitForPending(srv, onTarget('tk-cancel'))).id;
    const ack = await modernRequest(srv, {
      method: 'tasks/cancel',
      capabilities: TASKS,
      params: { taskId: task.taskId },
    });
    expect(ack.body.result).toMatchObject({ resultType: 'complete' });
    const done = await settled(task.taskId);
    expect(done).toMatchObject({ status: 'cancelled', statusMessage: 'Cancelled by the client.' });
    expect(done).not.toHaveProperty('result');
    // Cancelled before the owner decided: the call was never made again (no second intent or outcome).
    const outcomes = (await readAudit(srv.env.auditDir)).filter(
      (r) => r.stage === 'outcome' && (r.args as { id?: string } | undefined)?.id === 'tk-cancel',
    );
    expect(outcomes.map((r) => r.confirmation?.outcome)).toEqual(['pending', 'pending']);
    const { json } = await srv.admin('GET', '/api/confirmations');
    expect((json.confirmations as Array<{ id: string }>).find((c) => c.id === id)).toMatchObject({
      status: 'denied',
      decidedBy: 'test',
      reason: 'withdrawn: the client cancelled its task',
    });
    const withdrawn = (await readAudit(srv.env.auditDir)).filter((r) => r.event === 'confirmation.withdrawn');
    expect(withdrawn.map((r) => r.details)).toEqual([{ id }]);
  });

  it('answers tasks/* with -32021 naming the extension when the request does not declare it', async () => {
    const task = await startTask('tk-cancel');
    for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
      const reply = await modernRequest(srv, { method, params: { taskId: task.taskId } });
      expect(reply.body.error).toMatchObject({
        code: -32021,
        data: { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
      });
    }
  });

  it('is not used for a client that did not declare the extension on this request: it waits, as before', async () => {
    const reply = await modernRequest(srv, {
      method: 'tools/call',
      params: { name: 'test_remove', arguments: { id: 'tk-plain' } },
    });
    const result = reply.body.result as CallToolResult & { resultType: string };
    expect(result.resultType).toBe('complete');
    expect(text(result)).toMatch(/^Waiting for the owner's approval — nothing was done yet\./);
  });
});
