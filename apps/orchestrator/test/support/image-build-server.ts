import { join } from 'node:path';
import type Docker from 'dockerode';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { imageBuildEventSchema, MemoryNonceStore, TRUSTED_ROUTES, type ImageBuildEvent, type ImageCatalogEntry } from '@dais/shared';
import { createComponentServer } from '@dais/shared/fastify';
import { writeComponentKeys } from '../../../../test/support/keys';
import { signedNdjson, type NdjsonOptions, type StreamedAnswer } from '../../../../test/support/ndjson';
import type { TestSigner } from '../../../../test/support/signed-fetch';
import { loadOrchestratorConfig } from '../../src/config/orchestrator.config';
import { SITE_LABELS } from '../../src/docker/docker-client';
import { DockerImageBuilder } from '../../src/docker/image-builder';
import { registerImageRoutes } from '../../src/http/images.routes';

/** The catalogue entry of the busybox image setup builds (no package manager). */
export const BUSYBOX: ImageCatalogEntry = {
  name: 'busybox',
  baseImage: 'dais/busybox:latest',
  packageUpdate: null,
  packageInstall: null,
  runScript: '',
};

/** The catalogue entry of the Debian image setup builds (apt). */
export const DEBIAN: ImageCatalogEntry = {
  name: 'debian',
  baseImage: 'dais/debian:bookworm',
  packageUpdate: ['apt-get', 'update'],
  packageInstall: ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends'],
  runScript: '',
};

/** An orchestrator's image-build route on its own port, with a real builder on the local engine. */
export interface ImageBuildServer {
  url: string;
  /** Sends a signed build request for a site and reads the streamed answer. */
  build(siteId: number, body: unknown, options?: NdjsonOptions): Promise<StreamedAnswer>;
  close(): Promise<void>;
}

/**
 * Starts the route with a builder whose settings come from `env` (`DAIS_BUILD_*`), as the
 * orchestrator would parse them; every image and container it makes carries `prefix`.
 */
export async function startImageBuildServer(options: {
  dir: string;
  prefix: string;
  env?: Record<string, string>;
  socketPath?: string;
}): Promise<ImageBuildServer> {
  const keys = await writeComponentKeys(join(options.dir, 'keys'), ['manager', 'orchestrator', 'shell']);
  const manager: TestSigner = { callerId: 'manager', privateKey: keys.manager!, audience: 'orchestrator' };
  const server: FastifyInstance = createComponentServer({
    id: 'orchestrator',
    keysDir: join(options.dir, 'keys'),
    trustedRoutes: TRUSTED_ROUTES.orchestrator,
    nonces: new MemoryNonceStore(),
    bodyLimitBytes: 1024 * 1024,
    logLevel: 'silent',
  });
  const settings = loadOrchestratorConfig({ DAIS_STATE_DIR: options.dir, ...options.env }).build;
  const socketPath = options.socketPath ?? '/var/run/docker.sock';
  registerImageRoutes(server, new DockerImageBuilder({ socketPath, namePrefix: options.prefix, settings }));
  await server.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${server.addresses()[0]!.port}`;
  return {
    url,
    build: (siteId, body, ndjson = {}) => signedNdjson(url, manager, 'POST', `/v1/sites/${siteId}/image`, body, ndjson),
    close: () => server.close(),
  };
}

/** The events of a streamed answer, each checked against the contract. */
export function buildEvents(answer: StreamedAnswer): ImageBuildEvent[] {
  return answer.lines.map((line) => imageBuildEventSchema.parse(line.value));
}

/** The one final event, which must be the last line. */
export function finalEvent(answer: StreamedAnswer): ImageBuildEvent {
  const all = buildEvents(answer);
  expect(all.filter((event) => event.type === 'done' || event.type === 'error')).toHaveLength(1);
  expect(['done', 'error']).toContain(all.at(-1)?.type);
  return all.at(-1)!;
}

/** The build's log lines, joined. */
export function buildLog(answer: StreamedAnswer): string {
  return buildEvents(answer)
    .flatMap((event) => (event.type === 'log' ? [event.line] : []))
    .join('\n');
}

/** The image a successful build names (fails the test, with the log, otherwise). */
export function builtImage(answer: StreamedAnswer): string {
  const event = finalEvent(answer);
  if (event.type !== 'done') throw new Error(`expected done, got ${JSON.stringify(event)}\n${buildLog(answer)}`);
  return event.image;
}

/** Tags of a site's images this prefix made. */
export async function siteTags(docker: Docker, prefix: string, siteId: number): Promise<string[]> {
  const images = await docker.listImages({ filters: { label: [`${SITE_LABELS.managedBy}=${prefix}`, `${SITE_LABELS.siteId}=${siteId}`] } });
  return images.flatMap((image) => image.RepoTags ?? []).sort();
}

/** Fails the test, naming it, when `reference` is missing (setup builds it). */
export async function requireImage(docker: Docker, reference: string): Promise<void> {
  try {
    await docker.getImage(reference).inspect();
  } catch {
    throw new Error(`${reference} is missing: run npm run setup (scripts/setup-images.sh builds it)`);
  }
}
