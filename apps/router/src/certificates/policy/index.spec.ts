import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRouterConfig } from '../../config/router.config';
import { createCertificatePolicies, DisabledReachabilityProbe, FileIssuanceBudget, HttpReachabilityProbe } from './index';

const challenges = { put: () => Promise.resolve(), remove: () => Promise.resolve() };
const log = { warn: () => undefined };

describe('createCertificatePolicies', () => {
  it('builds the budget from the configured file and the probe the configuration asks for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dais-policies-'));
    try {
      const on = loadRouterConfig({ DAIS_STATE_DIR: dir });
      const policies = await createCertificatePolicies({ config: on.acmePolicy, challenges, log });
      expect(policies.budget).toBeInstanceOf(FileIssuanceBudget);
      expect(policies.probe).toBeInstanceOf(HttpReachabilityProbe);
      await policies.budget.recordIssued(['a.example.org'], new Date());
      const off = loadRouterConfig({ DAIS_STATE_DIR: dir, DAIS_ACME_PREFLIGHT_ENABLED: 'false', DAIS_ACME_CERTS_PER_DOMAIN_WEEK: '1' });
      const again = await createCertificatePolicies({ config: off.acmePolicy, challenges, log });
      expect(again.probe).toBeInstanceOf(DisabledReachabilityProbe);
      // Same state file: the certificate recorded above counts against the new limit of 1.
      expect(again.budget.check(['b.example.org'], new Date()).allowed).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
