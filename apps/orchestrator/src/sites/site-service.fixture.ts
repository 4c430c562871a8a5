import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SiteSpec } from '@dais/shared';
import { DesiredStateTable } from '@dais/nginx';
import { systemDiskTools } from '../disks';
import { PlainDisks } from '../disks/plain-disks';
import { EndpointRegistry } from './endpoint-registry';
import { MemoryEngine, MemoryRuntime } from './memory-runtime';
import { SiteDirectories } from './site-directories';
import { SiteService } from './site.service';

/** A run.sh the memory runtime runs (it never reads it; the real ones serve public/ with it). */
export const SERVE_RUN_SH = '#!/bin/sh\nexec httpd -f -p "$PORT" -h /site/public\n';

/** What the fake nginx tier saw at one render: which sites it routed, and what ran for them then. */
export interface Render {
  generation: number;
  siteIds: number[];
  /** Per routed site: its containers running and its recorded endpoints, at the moment of the render. */
  sites: Record<number, { running: number; endpoints: readonly string[] }>;
}

/**
 * A site service on the memory runtime, real site folders in a temp dir, a real desired-state
 * table and a fake nginx tier that records every render (with what ran at that moment).
 */
export interface SiteServiceFixture {
  service: SiteService;
  runtime: MemoryRuntime;
  files: SiteDirectories;
  table: DesiredStateTable<SiteSpec>;
  endpoints: EndpointRegistry;
  renders: Render[];
  /** Sites `nginx -t` was run for (those with a snippet). */
  testedBlocks: number[];
  /** Makes the next render fail as nginx would refuse it. */
  refuseNextRender(error: Error): void;
  /** Makes `nginx -t` of the next site's own block fail. */
  refuseNextOwnBlock(error: Error): void;
  dispose(): Promise<void>;
}

export async function siteServiceFixture(
  options: { flavour?: 'docker' | 'swarm'; endpointWaitMs?: number } = {},
): Promise<SiteServiceFixture> {
  const root = await mkdtemp(join(tmpdir(), 'dais-site-service-'));
  const files = new SiteDirectories(join(root, 'data'), new PlainDisks(join(root, 'data', 'sites'), systemDiskTools));
  await files.prepare();
  const runtime = new MemoryRuntime(new MemoryEngine(), { namePrefix: 'dais-site-', flavour: options.flavour ?? 'docker' });
  await runtime.prepare();
  const endpoints = new EndpointRegistry();
  const renders: Render[] = [];
  const testedBlocks: number[] = [];
  let refusal: Error | null = null;
  let blockRefusal: Error | null = null;
  const table = new DesiredStateTable<SiteSpec>(new Map(), {
    apply: (state) => {
      if (refusal) {
        const error = refusal;
        refusal = null;
        return Promise.reject(error);
      }
      const siteIds = [...state.keys()].sort((a, b) => a - b);
      const sites = Object.fromEntries(siteIds.map((id) => [id, { running: runtime.runningCount(id), endpoints: endpoints.of(id) }]));
      renders.push({ generation: renders.length + 1, siteIds, sites });
      return Promise.resolve(renders.length);
    },
    persist: () => Promise.resolve(),
  });
  const service = new SiteService({
    files,
    table,
    runtime,
    endpoints,
    uidBase: 200_000,
    testOwnBlock: (spec) => {
      testedBlocks.push(spec.id);
      const error = blockRefusal;
      blockRefusal = null;
      return error ? Promise.reject(error) : Promise.resolve();
    },
    endpointWaitMs: options.endpointWaitMs ?? 2_000,
  });
  return {
    service,
    runtime,
    files,
    table,
    endpoints,
    renders,
    testedBlocks,
    refuseNextRender: (error) => (refusal = error),
    refuseNextOwnBlock: (error) => (blockRefusal = error),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

/** A dynamic site's spec, with defaults a test can override (as the manager would send it). */
export function dynamicSpec(
  id: number,
  overrides: Partial<SiteSpec> = {},
  runtime: Partial<NonNullable<SiteSpec['runtime']>> = {},
): SiteSpec {
  return {
    id,
    name: `site${id}`,
    type: 'dynamic',
    availability: 'enabled',
    hostnames: [`site${id}.dais.localhost`],
    nginx: {},
    diskLimitMb: 1_024,
    runtime: {
      image: 'dais/busybox:latest',
      limits: { memoryMb: 64, cpus: 0.5, pids: 64 },
      env: {},
      secrets: {},
      database: null,
      stopped: false,
      replicas: 1,
      runScript: SERVE_RUN_SH,
      ...runtime,
    },
    ...overrides,
  };
}

/** A static site's spec. */
export function staticSpec(id: number, overrides: Partial<SiteSpec> = {}): SiteSpec {
  return { ...dynamicSpec(id), type: 'static', runtime: null, ...overrides };
}
