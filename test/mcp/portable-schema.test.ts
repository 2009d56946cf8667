import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { portableSchema } from '../../server/mcp/portable-schema.js';
import { toListEntry } from '../../server/mcp/tool-listing.js';
import { allTools } from '../../server/tools/index.js';

/** Every `type` keyword in a schema, wherever it is nested. */
function types(node: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(node)) for (const n of node) types(n, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'type') found.push(value);
      types(value, found);
    }
  }
  return found;
}

describe('portableSchema', () => {
  it('writes a nullable type as anyOf, keeping annotations on the whole and constraints on the branch', () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: ['string', 'null'], maxLength: 10, description: 'The name', default: null },
        size: { type: ['integer', 'number'], minimum: 0 },
        plain: { type: 'string' },
      },
      required: ['name'],
    };
    const before = structuredClone(schema);
    expect(portableSchema(schema)).toEqual({
      type: 'object',
      properties: {
        name: {
          description: 'The name',
          default: null,
          anyOf: [{ type: 'string', maxLength: 10 }, { type: 'null' }],
        },
        size: {
          anyOf: [
            { type: 'integer', minimum: 0 },
            { type: 'number', minimum: 0 },
          ],
        },
        plain: { type: 'string' },
      },
      required: ['name'],
    });
    expect(schema).toEqual(before);
  });

  it('rewrites inside arrays, items and nested anyOf', () => {
    expect(
      portableSchema({
        type: 'array',
        items: { anyOf: [{ type: ['boolean', 'null'] }, { type: 'string' }] },
      }),
    ).toEqual({
      type: 'array',
      items: { anyOf: [{ anyOf: [{ type: 'boolean' }, { type: 'null' }] }, { type: 'string' }] },
    });
  });

  it('leaves no type lists in any tool’s input or output schema, as tools/list sends them', () => {
    const lists = allTools
      .flatMap((tool) => [toListEntry(tool).inputSchema, toListEntry(tool).outputSchema])
      .flatMap((schema) => types(schema))
      .filter((t) => Array.isArray(t));
    expect(lists).toEqual([]);
    // It had something to do: zod itself writes the nullable fields of these schemas as type lists.
    const raw = allTools.flatMap((tool) =>
      types(z.toJSONSchema(tool.outputWithTruncation, { io: 'output' })),
    );
    expect(raw.filter((t) => Array.isArray(t)).length).toBeGreaterThan(20);
  });
});
