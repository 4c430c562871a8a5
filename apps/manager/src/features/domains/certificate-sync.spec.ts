import type { CertificateList } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { ManagerConfig } from '../../config/manager.config';
import type { RouterClient } from '../../infrastructure/peers/peer-clients';
import type { PrismaService } from '../../infrastructure/prisma/prisma.service';
import type { PeriodicJobs } from '../../infrastructure/queue/periodic-jobs';
import type { SiteEventsPublisher } from '../site-events/site-events.publisher';
import { CertificateSync } from './certificate-sync';

/** A sync on fakes: a router that counts the reads it answers, and no domains to update. */
function setup() {
  const scheduled: { name: string; everyMs: number; run: () => Promise<unknown> }[] = [];
  const periodic = {
    schedule: (name: string, everyMs: number, run: () => Promise<unknown>) => void scheduled.push({ name, everyMs, run }),
  };
  let reads = 0;
  const router = {
    listCertificates: (): Promise<CertificateList> => {
      reads++;
      return Promise.resolve({ certificates: [] });
    },
  };
  const prisma = { domain: { findMany: () => Promise.resolve([]), updateMany: () => Promise.resolve({ count: 0 }) } };
  const events = { siteChanged: () => Promise.resolve() };
  const config = { certificateSyncIntervalMs: 15_000 } as ManagerConfig;
  const sync = new CertificateSync(
    periodic as unknown as PeriodicJobs,
    router as unknown as RouterClient,
    prisma as unknown as PrismaService,
    events as unknown as SiteEventsPublisher,
    config,
  );
  return { sync, scheduled, reads: () => reads };
}

describe('certificate sync', () => {
  it('is one cluster-wide job at the configured interval, and reads nothing before its first tick', () => {
    const { sync, scheduled, reads } = setup();
    sync.onApplicationBootstrap();
    expect(scheduled.map(({ name, everyMs }) => ({ name, everyMs }))).toEqual([{ name: 'certificate-sync', everyMs: 15_000 }]);
    expect(reads()).toBe(0);
  });

  it('reads the certificate states from the router at each tick', async () => {
    const { sync, scheduled, reads } = setup();
    sync.onApplicationBootstrap();
    await scheduled[0]?.run();
    await scheduled[0]?.run();
    expect(reads()).toBe(2);
  });
});
