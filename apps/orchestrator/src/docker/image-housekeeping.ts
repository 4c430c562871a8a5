import type Docker from 'dockerode';
import { DaisError } from '@dais/shared';
import { BuildProgressParser } from './build-progress';
import { SITE_LABELS, siteResourceName } from './docker-client';
import { dockerFailure, isNotFound, withDefaultTag } from './docker-util';

/** Makes sure the base image is on this host, pulling it once; a clear error when it cannot be had. */
export async function ensureBaseImage(docker: Docker, baseImage: string, onLog: (line: string) => void): Promise<void> {
  if (await imageExists(docker, baseImage)) return;
  onLog(`${baseImage} is not on this host; pulling it.`);
  let failure: string | null;
  try {
    failure = await readProgress(await docker.pull(withDefaultTag(baseImage)), onLog);
  } catch (error) {
    const mapped = dockerFailure(`pull ${baseImage}`, error);
    if (mapped.code === 'DOCKER_UNAVAILABLE') throw mapped;
    failure = engineMessage(error);
  }
  if (failure !== null || !(await imageExists(docker, baseImage))) {
    throw new DaisError(
      'IMAGE_UNAVAILABLE',
      `The base image ${baseImage} is not on this host and could not be pulled (${failure ?? 'the pull produced no image'}). ` +
        'Build or load it on this host (docs/images.md), or use a catalogue image that is available.',
      { image: baseImage },
    );
  }
}

/**
 * Keeps the newest `keepPerSite` images of the site (the new one included) and any image a
 * container uses, running or stopped; removes the rest by tag (and their registry copies' tags),
 * without force, so the engine itself refuses anything still referenced. Cleaning up never fails the
 * build. The registry's own copies stay until its garbage collection (docs/swarm.md).
 */
export async function removeOldImages(
  docker: Docker,
  site: { namePrefix: string; siteId: number; keep: string; keepPerSite: number },
  onLog: (line: string) => void,
): Promise<void> {
  const repository = siteResourceName(site.namePrefix, site.siteId);
  try {
    const [images, containers] = await Promise.all([
      docker.listImages({ filters: { label: [`${SITE_LABELS.managedBy}=${site.namePrefix}`, `${SITE_LABELS.siteId}=${site.siteId}`] } }),
      docker.listContainers({ all: true }),
    ]);
    const inUse = new Set(containers.map((container) => container.ImageID));
    const tags = images.flatMap((image) => (image.RepoTags ?? []).map((tag) => ({ tag, id: image.Id })));
    const candidates = tags.filter(({ tag }) => tag.startsWith(`${repository}:`) && tag !== site.keep);
    // The list gives creation times in whole seconds; builds of one site can be closer than that.
    const dated = await Promise.all(
      candidates.map(async (image) => ({ ...image, created: Date.parse((await docker.getImage(image.tag).inspect()).Created) })),
    );
    const older = dated.sort((a, b) => b.created - a.created).slice(site.keepPerSite - 1);
    for (const image of older) {
      if (inUse.has(image.id)) continue;
      // Its copies tagged for the Swarm's registry (`<registry>/<tag>`, registry-publisher.ts) would keep it alive.
      const registryCopies = tags.filter((other) => other.id === image.id && other.tag.endsWith(`/${image.tag}`));
      try {
        for (const copy of registryCopies) await docker.getImage(copy.tag).remove();
        await docker.getImage(image.tag).remove();
        onLog(`Removed the old image ${image.tag}.`);
      } catch (error) {
        onLog(`Kept the old image ${image.tag}: ${engineMessage(error)}`);
      }
    }
  } catch (error) {
    onLog(`Could not clean up old images of this site: ${engineMessage(error)}`);
  }
}

/**
 * What a build cut short by a restart of the orchestrator left: its step containers (named
 * `<prefix>build-…`, held open until removed) and its untagged leaf layers. Run before any build.
 */
export async function removeLeftovers(docker: Docker, namePrefix: string): Promise<void> {
  const owned = `${SITE_LABELS.managedBy}=${namePrefix}`;
  const containers = await docker.listContainers({ all: true, filters: { label: [owned], name: [`${namePrefix}build-`] } });
  for (const container of containers)
    await docker
      .getContainer(container.Id)
      .remove({ force: true })
      .catch(() => undefined);
  const dangling = await docker.listImages({ filters: { label: [owned], dangling: ['true'] } });
  for (const image of dangling)
    await docker
      .getImage(image.Id)
      .remove()
      .catch(() => undefined);
}

/** Whether the engine has an image by that reference. */
export async function imageExists(docker: Docker, reference: string): Promise<boolean> {
  try {
    await docker.getImage(reference).inspect();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw dockerFailure(`look up image ${reference}`, error);
  }
}

/** Reads a progress stream to its end, reporting lines; resolves with Docker's first error, or null. */
async function readProgress(stream: NodeJS.ReadableStream, onLog: (line: string) => void): Promise<string | null> {
  const parser = new BuildProgressParser();
  let failure: string | null = null;
  const handle = (items: ReturnType<BuildProgressParser['push']>): void => {
    for (const item of items) {
      if (item.kind === 'line') onLog(item.line);
      else failure ??= item.message;
    }
  };
  for await (const chunk of stream) handle(parser.push(chunk));
  handle(parser.end());
  return failure;
}

function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: unknown } } | null)?.json;
  if (typeof json?.message === 'string') return json.message;
  return error instanceof Error ? error.message : String(error);
}
