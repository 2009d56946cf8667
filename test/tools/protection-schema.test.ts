import { describe, expect, it } from 'vitest';
import { allTools } from '../../server/tools/index.js';
import { protectionSchema } from '../../server/tools/protection-schema.js';

/**
 * The `protected` field of docker_list and vm_list names the tools a protected resource refuses;
 * that list must be the registry's own (the tools declaring refusesProtected), or a client is misled.
 */
describe('protectionSchema', () => {
  it.each([
    ['container', 'docker'],
    ['vm', 'vm'],
  ] as const)('the %s description names exactly the tools that refuse a protected one', (kind, toolset) => {
    const named = new Set((protectionSchema(kind).description ?? '').match(/\b(?:docker|vm)_[a-z_]+\b/g));
    const refusing = allTools.filter((t) => t.toolset === toolset && t.refusesProtected).map((t) => t.name);
    expect(refusing.length).toBeGreaterThan(0);
    expect([...named].sort()).toEqual([...refusing].sort());
  });
});
