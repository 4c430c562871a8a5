import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../../../test/support/golden';
import { buildOpenApiDocument } from './openapi-document';

describe('OpenAPI document', () => {
  it('is what docs/openapi.json says (run with UPDATE_GOLDEN=1 after changing a contract)', () => {
    expectGolden(join(__dirname, '../../../../../docs/openapi.json'), `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
  });

  it('describes the site name rules clients must follow', () => {
    const document = JSON.stringify(buildOpenApiDocument());
    expect(document).toContain('"additionalProperties":false');
    expect(document).toContain('"maxLength":500');
    expect(document).toContain('"pattern":"^[a-z]([a-z0-9-]*[a-z0-9])?$"');
  });
});
