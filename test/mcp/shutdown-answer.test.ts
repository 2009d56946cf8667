import { describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { shutdownAnswer, SHUTDOWN_ERROR_CODE } from '../../server/mcp/shutdown-answer.js';
import { shuttingDownError, shuttingDownMessage } from '../../server/errors/service-shutdown.js';
import { defineTool } from '../../server/tools/define-tool.js';
import { testEcho, testSlow } from '../helpers/test-tools.js';

const textResult = (text: string): CallToolResult => ({ isError: true, content: [{ type: 'text', text }] });

describe('what a call interrupted by the shutdown is told', () => {
  it.each([
    [
      { tool: 'docker_stop', target: 'plex', writing: true, work: 'started' as const },
      'unraid-mcp is shutting down; docker_stop on "plex" was started and may still complete — check its state after the restart.',
    ],
    [
      { tool: 'docker_stop', target: 'plex', writing: true, work: 'unknown' as const },
      'unraid-mcp is shutting down; docker_stop on "plex" may have started and may still complete — check its state after the restart.',
    ],
    [
      { tool: 'docker_stop', target: 'plex', writing: true, work: 'not_started' as const },
      'unraid-mcp is shutting down; docker_stop on "plex" was not started. Call it again after the restart.',
    ],
    [
      { tool: 'docker_logs', target: 'plex', writing: false, work: 'started' as const },
      'unraid-mcp is shutting down; docker_logs on "plex" did not finish. Call it again after the restart.',
    ],
    [
      { tool: 'docker_pull', target: null, writing: true, work: 'started' as const },
      'unraid-mcp is shutting down; docker_pull was started and may still complete — check its state after the restart.',
    ],
    [
      { tool: 'docker_stop', target: 'a"b\nc', writing: true, work: 'started' as const },
      'unraid-mcp is shutting down; docker_stop on "a\\"b\\nc" was started and may still complete — check its state after the restart.',
    ],
  ])('%j', (call, text) => {
    expect(shuttingDownMessage(call)).toBe(text);
    expect(shuttingDownError(call)).toMatchObject({ code: 'shutting_down', message: text });
  });

  it("answers with the pipeline's own words when it already said the service is stopping", () => {
    const said = shuttingDownMessage({
      tool: 'test_slow',
      target: 'slowpoke',
      writing: true,
      work: 'started',
    });
    const answer = shutdownAnswer(testSlow, { steps: 1, delayMs: 0 }, textResult(said));
    expect(answer).toMatchObject({
      code: SHUTDOWN_ERROR_CODE,
      message: said,
      data: { reason: 'shutting_down' },
    });
    expect(SHUTDOWN_ERROR_CODE).toBe(-32000);
  });

  it('otherwise builds them from the request (the target as given), hedged: "may have started"', () => {
    const answer = shutdownAnswer(testSlow, {}, textResult('test_slow was cancelled by the client.'));
    expect(answer.message).toBe(
      'unraid-mcp is shutting down; test_slow on "slowpoke" may have started and may still complete — check its state after the restart.',
    );
    expect(shutdownAnswer(testEcho, { message: 'x' }, textResult('x')).message).toBe(
      'unraid-mcp is shutting down; test_echo did not finish. Call it again after the restart.',
    );
  });

  it('names no target when the arguments do not give one', () => {
    const picky = defineTool({
      ...testSlow,
      name: 'test_picky',
      target: (args) => ({ kind: 'container', ref: (args as unknown as { id: string }).id }),
    });
    expect(shutdownAnswer(picky, { steps: 1 }, textResult('x')).message).toBe(
      'unraid-mcp is shutting down; test_picky may have started and may still complete — check its state after the restart.',
    );
    expect(shutdownAnswer(picky, null, textResult('x')).message).toMatch(
      /^unraid-mcp is shutting down; test_picky may/,
    );
  });
});
