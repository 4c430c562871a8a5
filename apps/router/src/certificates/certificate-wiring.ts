import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@dais/shared';
import type { AcmeConfig } from '../config/router.config';
import type { AcmePolicyConfig } from './policy/policy-config';
import { loadOrCreateAccountKey } from './account-key';
import { AcmeClientAdapter } from './acme-client.adapter';
import type { ChallengeStore } from './certificate-ports';
import { CertificateStore } from './certificate-store';
import { CertificateService, type CertificateLog } from './certificate.service';
import { createCertificatePolicies } from './policy';

/** Where the router keeps ACME state, all under {@link AcmeConfig.dir}. */
export function acmePaths(dir: string): { accountKey: string; certificates: string; challenges: string } {
  return { accountKey: join(dir, 'account.key'), certificates: join(dir, 'certificates'), challenges: join(dir, 'challenges') };
}

/** Builds the certificate manager from config: the ACME adapter (unless turned off), the store and the policies. */
export async function createCertificateService(options: {
  acme: AcmeConfig;
  policy: AcmePolicyConfig;
  challenges: ChallengeStore;
  reapply(): Promise<unknown>;
  log: CertificateLog;
}): Promise<CertificateService> {
  const { acme } = options;
  const paths = acmePaths(acme.dir);
  const authority = acme.enabled
    ? new AcmeClientAdapter({
        directoryUrl: acme.directoryUrl,
        accountKeyPem: await loadOrCreateAccountKey(paths.accountKey),
        email: acme.email,
        caPem: acme.caCertFile === undefined ? undefined : await readCaFile(acme.caCertFile),
        challenges: options.challenges,
      })
    : null;
  const policies = await createCertificatePolicies({ config: options.policy, challenges: options.challenges, log: options.log });
  return new CertificateService({
    store: new CertificateStore(paths.certificates),
    authority,
    budget: policies.budget,
    probe: policies.probe,
    renewDays: acme.renewDays,
    renewIntervalMs: acme.renewIntervalMs,
    retry: { baseMs: acme.retryMinMs, maxMs: acme.retryMaxMs },
    reapply: () => options.reapply(),
    log: options.log,
  });
}

/** The ACME server's CA; a missing file is a configuration mistake, said as one at startup. */
async function readCaFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`DAIS_ACME_CA_CERT: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
}
