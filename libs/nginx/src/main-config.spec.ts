import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../test/support/golden';
import { renderMainConfig } from './main-config';
import { NginxRenderError } from './values';

describe('main nginx config', () => {
  it('matches the golden file', () => {
    expectGolden(
      join(__dirname, '__golden__', 'main.conf'),
      renderMainConfig({ prefix: '/srv/dais/nginx', generation: 7, statusPort: 7102, http: '    # app servers here' }),
    );
  });

  it('refuses an unsafe prefix', () => {
    expect(() => renderMainConfig({ prefix: '/srv/da is', generation: 1, statusPort: 1, http: '' })).toThrow(NginxRenderError);
  });
});
