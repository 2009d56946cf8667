import { describe, expect, it } from 'vitest';
import { containerRequestSchema } from '../../../server/tools/docker/shared/container-request.js';
import { checkCreatePolicy } from '../../../server/safety/create-policy/create-policy.js';
import { renderUnraidTemplate } from '../../../server/backends/docker/unraid-template.js';

/**
 * The dockerMan template keeps every value (the Docker tab recreates the container from it) but marks
 * secrets Mask="true", so the Docker tab shows them as password fields.
 */
function masks(req: Record<string, unknown>): Record<string, string | undefined> {
  const parsed = containerRequestSchema.parse({ name: 'mask-app', image: 'alpine:3', ...req });
  const xml = renderUnraidTemplate(parsed, checkCreatePolicy(parsed, { allowlist: [] }), new Date(0));
  return Object.fromEntries(
    [...xml.matchAll(/<Config Name="([^"]*)"[^>]*Mask="(true|false)">([^<]*)<\/Config>/g)].map((m) => [
      m[1],
      `${m[2]}:${m[3]}`,
    ]),
  );
}

describe('Mask in the dockerMan template', () => {
  it('masks variables and labels whose name or value is a secret, and keeps their values', () => {
    expect(
      masks({
        env: {
          MYSQL_PWD: 'p1',
          TS_AUTHKEY: 'p2',
          DATABASE_URL: 'postgres://app:p3@db/app',
          TZ: 'Europe/Berlin',
          KEYWORDS: 'tv',
        },
        labels: { 'com.example.api_token': 'p4', 'com.example.tier': 'gold' },
      }),
    ).toEqual({
      MYSQL_PWD: 'true:p1',
      TS_AUTHKEY: 'true:p2',
      DATABASE_URL: 'true:postgres://app:p3@db/app',
      TZ: 'false:Europe/Berlin',
      KEYWORDS: 'false:tv',
      'com.example.api_token': 'true:p4',
      'com.example.tier': 'false:gold',
    });
  });
});
