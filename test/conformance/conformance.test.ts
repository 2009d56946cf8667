import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { allTools } from '../../server/tools/index.js';
import { conformanceFixtures } from './fixture-tools.js';

/**
 * The MCP conformance suite (@modelcontextprotocol/conformance) against a real sidecar, through
 * scripts/conformance.mjs: 0.1.16 on the 2025 wire (initialize, sessions) and 0.2.0-alpha.12's
 * 2026-07-28 requirement set on the stateless wire, both on the same /mcp endpoint. Every scenario
 * must pass except the ones in NOT_APPLICABLE below, which must end exactly as listed: a listed
 * scenario that starts passing (or fails differently) fails this test too, so the table stays true.
 */

type Suite = '2025' | '2026';
/** A whole scenario that cannot apply (it must end with `status`), or single checks that cannot (they must fail; the rest must pass). */
type NotApplicable =
  { status: 'fail' | 'skipped' | 'pass'; reason: string } | { checks: Record<string, string> };

const NO_RESOURCES =
  'unraid-mcp offers no resources: resources/* answer -32601 Method not found, and the capability is not declared';
const NO_PROMPTS =
  'unraid-mcp offers no prompts: prompts/* answer -32601 Method not found, and the capability is not declared';
const NO_COMPLETIONS =
  'unraid-mcp declares no completions (it has no prompts or resource templates to complete)';
const fixture = (tool: string, does: string) =>
  `needs the suite's own fixture tool ${tool} (${does}); no unraid-mcp tool behaves like it`;
const CONTENT_ONLY_JSON =
  'unraid-mcp tools return JSON (structuredContent plus the same JSON as text), never this content type';
const MRTR_FIXTURE =
  'the input_required scenarios call the suite’s test_input_required_result_* fixture tools; unraid-mcp asks ' +
  'questions (approvals) only for its writing tools, with its own questions';
const TASK_FIXTURE =
  'the tasks scenarios drive the suite’s fixture tools (greet, slow_compute, failing_job, protocol_error_job, ' +
  'confirm_delete, multi_input, test_tool_with_task); unraid-mcp creates tasks only for approvals the owner has not decided yet';

const NOT_APPLICABLE: Record<Suite, Record<string, NotApplicable>> = {
  '2025': {
    'completion-complete': { status: 'fail', reason: NO_COMPLETIONS },
    'tools-call-image': {
      status: 'fail',
      reason: `${fixture('test_image_content', 'an image')}: ${CONTENT_ONLY_JSON}`,
    },
    'tools-call-audio': {
      status: 'fail',
      reason: `${fixture('test_audio_content', 'audio')}: ${CONTENT_ONLY_JSON}`,
    },
    'tools-call-embedded-resource': {
      status: 'fail',
      reason: `${fixture('test_embedded_resource', 'an embedded resource')}: ${CONTENT_ONLY_JSON}`,
    },
    'tools-call-mixed-content': {
      status: 'fail',
      reason: `${fixture('test_multiple_content_types', 'text, image and resource')}: ${CONTENT_ONLY_JSON}`,
    },
    'tools-call-with-logging': {
      status: 'fail',
      reason: fixture(
        'test_tool_with_logging',
        'sends log notifications while it runs; unraid-mcp logs on the server',
      ),
    },
    'tools-call-sampling': {
      status: 'fail',
      reason: fixture('test_sampling', 'asks the client for an LLM completion; unraid-mcp never samples'),
    },
    'tools-call-elicitation': {
      status: 'fail',
      reason: fixture('test_elicitation', 'a fixed form; unraid-mcp elicits only approvals of writing tools'),
    },
    'elicitation-sep1034-defaults': {
      status: 'fail',
      reason: fixture('test_elicitation_sep1034_defaults', 'a form with default values'),
    },
    'elicitation-sep1330-enums': {
      status: 'fail',
      reason: fixture('test_elicitation_sep1330_enums', 'a form with enum fields'),
    },
    'json-schema-2020-12': {
      status: 'fail',
      reason: fixture('json_schema_2020_12_tool', 'a hand-written input schema with $defs and $ref'),
    },
    'server-sse-polling': {
      status: 'skipped',
      reason:
        'a pending scenario that reports only INFO checks: it needs the fixture tool test_reconnection, which ' +
        'closes the SSE stream mid-call (SEP-1699)',
    },
    'resources-list': { status: 'fail', reason: NO_RESOURCES },
    'resources-read-text': { status: 'fail', reason: NO_RESOURCES },
    'resources-read-binary': { status: 'fail', reason: NO_RESOURCES },
    'resources-templates-read': { status: 'fail', reason: NO_RESOURCES },
    'resources-subscribe': { status: 'fail', reason: NO_RESOURCES },
    'resources-unsubscribe': { status: 'fail', reason: NO_RESOURCES },
    'prompts-list': { status: 'fail', reason: NO_PROMPTS },
    'prompts-get-simple': { status: 'fail', reason: NO_PROMPTS },
    'prompts-get-with-args': { status: 'fail', reason: NO_PROMPTS },
    'prompts-get-embedded-resource': { status: 'fail', reason: NO_PROMPTS },
    'prompts-get-with-image': { status: 'fail', reason: NO_PROMPTS },
  },
  '2026': {
    'server-stateless': {
      checks: {
        'sep-2575-server-rejects-undeclared-capability': fixture(
          'test_missing_capability',
          'needs a client capability',
        ),
        'sep-2575-missing-capability-http-400': fixture(
          'test_missing_capability',
          'needs a client capability',
        ),
        'sep-2575-http-server-no-independent-requests-on-stream': fixture(
          'test_streaming_elicitation',
          'elicits while streaming',
        ),
        'sep-2575-server-no-log-without-loglevel': fixture('test_logging_tool', 'logs to the client'),
      },
    },
    'completion-complete': { status: 'fail', reason: NO_COMPLETIONS },
    'tools-call-image': {
      status: 'fail',
      reason: `${fixture('test_image_content', 'an image')}: ${CONTENT_ONLY_JSON}`,
    },
    'tools-call-audio': {
      status: 'fail',
      reason: `${fixture('test_audio_content', 'audio')}: ${CONTENT_ONLY_JSON}`,
    },
    'tools-call-embedded-resource': {
      status: 'fail',
      reason: `${fixture('test_embedded_resource', 'an embedded resource')}: ${CONTENT_ONLY_JSON}`,
    },
    'tools-call-mixed-content': {
      status: 'fail',
      reason: `${fixture('test_multiple_content_types', 'text, image and resource')}: ${CONTENT_ONLY_JSON}`,
    },
    'resources-list': { status: 'fail', reason: NO_RESOURCES },
    'resources-read-text': { status: 'fail', reason: NO_RESOURCES },
    'resources-read-binary': { status: 'fail', reason: NO_RESOURCES },
    'resources-templates-read': { status: 'fail', reason: NO_RESOURCES },
    'prompts-list': { status: 'fail', reason: NO_PROMPTS },
    'prompts-get-simple': { status: 'fail', reason: NO_PROMPTS },
    'prompts-get-with-args': { status: 'fail', reason: NO_PROMPTS },
    'prompts-get-embedded-resource': { status: 'fail', reason: NO_PROMPTS },
    'prompts-get-with-image': { status: 'fail', reason: NO_PROMPTS },
    caching: {
      checks: {
        'sep-2549-prompts-list-caching-hints': NO_PROMPTS,
        'sep-2549-resources-list-caching-hints': NO_RESOURCES,
        'sep-2549-resources-templates-list-caching-hints': NO_RESOURCES,
      },
    },
    'input-required-result-basic-elicitation': { status: 'fail', reason: MRTR_FIXTURE },
    'input-required-result-basic-sampling': { status: 'fail', reason: MRTR_FIXTURE },
    'input-required-result-basic-list-roots': { status: 'fail', reason: MRTR_FIXTURE },
    'input-required-result-request-state': { status: 'fail', reason: MRTR_FIXTURE },
    'input-required-result-multiple-input-requests': { status: 'fail', reason: MRTR_FIXTURE },
    'input-required-result-multi-round': { status: 'fail', reason: MRTR_FIXTURE },
    'input-required-result-missing-input-response': {
      status: 'skipped',
      reason: `${MRTR_FIXTURE}; without it the suite only warns that it could not exercise the requirement`,
    },
    'input-required-result-non-tool-request': {
      status: 'fail',
      reason: `it asks for input_required on prompts/get: ${NO_PROMPTS}`,
    },
    'input-required-result-result-type': { status: 'fail', reason: MRTR_FIXTURE },
    'input-required-result-tampered-state': { status: 'fail', reason: MRTR_FIXTURE },
    'input-required-result-capability-check': { status: 'fail', reason: MRTR_FIXTURE },
    'input-required-result-ignore-extra-params': {
      status: 'skipped',
      reason: `${MRTR_FIXTURE}; without it the suite only warns that it could not exercise the requirement`,
    },
    'input-required-result-validate-input': {
      status: 'pass',
      reason:
        `passes without exercising input_required: ${MRTR_FIXTURE}, and the -32602 "Unknown tool" error is ` +
        'the error this scenario looks for',
    },
    'tasks-lifecycle': { status: 'fail', reason: TASK_FIXTURE },
    'tasks-capability-negotiation': {
      checks: {
        'sep-2663-server-rejects-undeclared-client': TASK_FIXTURE,
        'tasks-per-request-meta-opt-in': TASK_FIXTURE,
      },
    },
    'tasks-wire-fields': { status: 'fail', reason: TASK_FIXTURE },
    'tasks-request-state-removal': { status: 'fail', reason: TASK_FIXTURE },
    'tasks-mrtr-input': { status: 'fail', reason: TASK_FIXTURE },
    'tasks-request-headers': {
      checks: {
        'tasks-headers-tolerate-mcp-method-on-tools-call': TASK_FIXTURE,
        'sep-2663-routing-headers-accepted-on-tasks-get': TASK_FIXTURE,
        'sep-2663-server-rejects-mismatched-mcp-name-on-tasks-get': TASK_FIXTURE,
      },
    },
    'tasks-dispatch-and-envelope': {
      checks: {
        'tasks-server-directed-creation-no-hint': TASK_FIXTURE,
        'sep-2663-legacy-task-param-ignored': TASK_FIXTURE,
        'tasks-immediate-result-shortcut': TASK_FIXTURE,
        'tasks-result-type-complete-on-non-task-responses': TASK_FIXTURE,
        'sep-2663-durable-create-strong-consistency': TASK_FIXTURE,
      },
    },
    'tasks-status-notifications': {
      status: 'skipped',
      reason: 'the suite skips it itself: its harness does not yet read the subscriptions/listen stream',
    },
    'tasks-required-task-error': { status: 'fail', reason: TASK_FIXTURE },
    'tasks-mrtr-composition': { status: 'fail', reason: TASK_FIXTURE },
    'json-schema-2020-12': {
      status: 'fail',
      reason: fixture('json_schema_2020_12_tool', 'a hand-written input schema with $defs and $ref'),
    },
    'http-custom-header-server-validation': {
      status: 'fail',
      reason: fixture('test_custom_headers', 'declares x-mcp-header parameters; no unraid-mcp tool does'),
    },
  },
};

/** How many server scenarios each pinned suite version runs: a new version must be looked at, not absorbed. */
const SCENARIO_COUNT: Record<Suite, number> = { '2025': 32, '2026': 50 };

interface Check {
  id: string;
  status: string;
  message?: string;
}
interface ScenarioResult {
  suite: Suite;
  scenario: string;
  tag: string | null;
  status: 'pass' | 'fail' | 'skipped' | 'error';
  reason: string;
  checks: Check[];
  verdict: string;
  why: string;
}

const SCRIPT = resolve(import.meta.dirname, '../../scripts/conformance.mjs');

/** What is wrong with one suite's results, judged here from the raw checks (not from the script's verdicts). */
function problemsOf(suite: Suite, results: ScenarioResult[]): string[] {
  const table = NOT_APPLICABLE[suite];
  const problems: string[] = [];
  for (const r of results) {
    const listed = table[r.scenario];
    if (listed && 'status' in listed) {
      if (r.status !== listed.status)
        problems.push(`${r.scenario}: listed as ${listed.status} but ${r.status}: ${r.reason}`);
      continue;
    }
    const excused = new Set(Object.keys(listed?.checks ?? {}));
    const failing = new Set(r.checks.filter((c) => c.status === 'FAILURE').map((c) => c.id));
    if (r.status === 'error') problems.push(`${r.scenario}: no result: ${r.reason}`);
    for (const c of r.checks)
      if (c.status === 'FAILURE' && !excused.has(c.id))
        problems.push(`${r.scenario}: ${c.id} failed: ${c.message ?? ''}`);
    for (const id of excused)
      if (!failing.has(id))
        problems.push(`${r.scenario}: ${id} is listed as not applicable but did not fail`);
    if (!r.checks.some((c) => c.status === 'SUCCESS' && !c.id.startsWith('wire-schema-')))
      problems.push(`${r.scenario}: no check of its own passed (${r.reason})`);
  }
  for (const name of Object.keys(table))
    if (!results.some((r) => r.scenario === name))
      problems.push(`${name}: listed, but the suite has no such scenario`);
  return problems;
}

describe('MCP conformance suite against the sidecar', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'umcp-conformance-test-'));
    await writeFile(join(dir, 'expect.json'), JSON.stringify(NOT_APPLICABLE));
    // Node >= 22 for the suite; installed from the npm registry on the first run (see the script).
    await runScript(['--print-node']);
    server = await startTestServer({
      tools: [...allTools, ...conformanceFixtures],
      // A read token: the suite sees and calls only read-only tools, whatever it tries.
      tokens: [{ name: 'conformance', scope: 'read' }],
      // 0.1.16 never ends its sessions (about two per scenario; the script ends them after the run),
      // so the per-token session limit (16 by default) is raised for this run.
      settingsCfg: 'MAX_SESSIONS="200"\nMAX_SESSIONS_PER_TOKEN="200"\n',
    });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function runScript(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile(
        process.execPath,
        [SCRIPT, ...args],
        {
          env: { ...process.env, UNRAID_MCP_TOKEN: server?.secrets.conformance ?? '' },
          timeout: 280_000,
          maxBuffer: 32 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          done({ code, stdout, stderr });
        },
      );
    });
  }

  async function runSuite(suite: Suite) {
    const json = join(dir, `${suite}.json`);
    const run = await runScript([
      '--url',
      server.url,
      '--suite',
      suite,
      '--json',
      json,
      '--expect',
      join(dir, 'expect.json'),
    ]);
    if (!existsSync(json))
      throw new Error(`conformance.mjs wrote no results (exit ${run.code}):\n${run.stderr}`);
    const report = JSON.parse(await readFile(json, 'utf8')) as { results: ScenarioResult[] };
    return { ...run, results: report.results.filter((r) => r.suite === suite) };
  }

  for (const suite of ['2025', '2026'] as const) {
    it(`${suite} suite: every applicable scenario passes, the others end as listed`, async () => {
      const { code, stdout, stderr, results } = await runSuite(suite);
      const table = `${stdout}\n${stderr}`;
      expect(results.map((r) => r.scenario).sort(), table).toHaveLength(SCENARIO_COUNT[suite]);
      expect(problemsOf(suite, results), table).toEqual([]);
      // The script's own verdicts agree: nothing unexpected, exit code 0.
      expect(
        results.filter((r) => r.verdict === 'unexpected').map((r) => `${r.scenario}: ${r.why}`),
        table,
      ).toEqual([]);
      expect(code, table).toBe(0);
      // The scenarios this server must pass on this wire, by name, so a suite that quietly stopped
      // running them cannot pass.
      const passed = results.filter((r) => r.verdict === 'pass').map((r) => r.scenario);
      const core =
        suite === '2025'
          ? ['server-initialize', 'ping', 'tools-list', 'tools-call-simple-text', 'tools-call-error']
          : [
              'server-stateless',
              'tools-list',
              'tools-call-simple-text',
              'tools-call-error',
              'http-header-validation',
            ];
      expect(passed, table).toEqual(
        expect.arrayContaining([...core, 'tools-call-with-progress', 'dns-rebinding-protection']),
      );
    }, 300_000);
  }
});
