import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { DaisError, KeyedLock, type SiteImageBuild } from '@dais/shared';
import { BuildProgressParser } from './build-progress';
import { createDockerClient, SITE_LABELS, siteResourceName } from './docker-client';
import { dockerFailure, isNotFound, withDefaultTag } from './docker-util';
import { renderSiteDockerfile } from './dockerfile.render';

/** A site's image build, checked and rendered, ready to run. */
export interface PreparedImageBuild {
  readonly siteId: number;
  readonly baseImage: string;
  readonly dockerfile: string;
  /** sha256 of the Dockerfile, hex. */
  readonly hash: string;
  /** `<prefix><site id>:<first 12 hex of hash>`: the same input always names the same image. */
  readonly tag: string;
}

/** The image a site can run now; `cached` when it had been built before. */
export interface ImageBuildResult {
  image: string;
  cached: boolean;
}

/** Builds sites' own images. The HTTP route talks to this, so tests of the route may use a fake. */
export interface ImageBuilder {
  /**
   * Renders and checks a build without touching Docker.
   * @throws DaisError with a 400-class code for input no image can satisfy.
   */
  prepare(build: SiteImageBuild): PreparedImageBuild;
  /**
   * Builds the image (or finds it built), reporting Docker's output line by line as it comes.
   * A failure throws a coded DaisError and leaves no new tag: the site's current image is untouched.
   */
  build(prepared: PreparedImageBuild, onLog: (line: string) => void): Promise<ImageBuildResult>;
}

/** Settings of {@link DockerImageBuilder}. */
export interface DockerImageBuilderOptions {
  socketPath: string;
  /** Prefix of everything Dais names for sites (`DAIS_SITE_NAME_PREFIX`), also the owner label. */
  namePrefix: string;
  /** Built images kept per site, newest first (default 2); older ones no container uses are removed. */
  keepPerSite?: number;
  /** A build running longer is stopped and fails (default 30 minutes). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

/** The tag of a site's image built from a Dockerfile with this sha256. */
export function siteImageTag(namePrefix: string, siteId: number, hash: string): string {
  return `${siteResourceName(namePrefix, siteId)}:${hash.slice(0, 12)}`;
}

/**
 * Builds a site's image on the local engine from an in-memory context holding only the rendered
 * Dockerfile. Builds of one site run one at a time, so a retried request waits for the first and
 * then finds its image built.
 */
export class DockerImageBuilder implements ImageBuilder {
  private readonly docker: Docker;
  private readonly lock = new KeyedLock<number>();
  private readonly active = new Map<number, number>();
  private readonly keepPerSite: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: DockerImageBuilderOptions) {
    this.docker = createDockerClient(options.socketPath);
    this.keepPerSite = Math.max(1, options.keepPerSite ?? 2);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  prepare(build: SiteImageBuild): PreparedImageBuild {
    const dockerfile = renderSiteDockerfile(build);
    const hash = createHash('sha256').update(dockerfile).digest('hex');
    return {
      siteId: build.siteId,
      baseImage: build.base.baseImage,
      dockerfile,
      hash,
      tag: siteImageTag(this.options.namePrefix, build.siteId, hash),
    };
  }

  async build(prepared: PreparedImageBuild, onLog: (line: string) => void): Promise<ImageBuildResult> {
    const { siteId } = prepared;
    const running = this.active.get(siteId) ?? 0;
    if (running > 0) onLog(`Waiting for another build of this site to finish.`);
    this.active.set(siteId, running + 1);
    try {
      return await this.lock.run(siteId, () => this.buildNow(prepared, onLog));
    } finally {
      const left = (this.active.get(siteId) ?? 1) - 1;
      if (left > 0) this.active.set(siteId, left);
      else this.active.delete(siteId);
    }
  }

  private async buildNow(prepared: PreparedImageBuild, onLog: (line: string) => void): Promise<ImageBuildResult> {
    if (await this.imageExists(prepared.tag)) {
      onLog(`${prepared.tag} is already built for this configuration.`);
      return { image: prepared.tag, cached: true };
    }
    await this.ensureBaseImage(prepared.baseImage, onLog);
    await this.runBuild(prepared, onLog);
    if (!(await this.imageExists(prepared.tag))) {
      throw new DaisError(
        'IMAGE_BUILD_FAILED',
        `Docker finished the build without producing ${prepared.tag}. Build again; if it persists, check the engine's log.`,
      );
    }
    await this.removeOldImages(prepared, onLog);
    return { image: prepared.tag, cached: false };
  }

  private async imageExists(reference: string): Promise<boolean> {
    try {
      await this.docker.getImage(reference).inspect();
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw dockerFailure(`look up image ${reference}`, error);
    }
  }

  /** The classic builder would pull a missing base itself, but with a less helpful error. */
  private async ensureBaseImage(baseImage: string, onLog: (line: string) => void): Promise<void> {
    if (await this.imageExists(baseImage)) return;
    onLog(`${baseImage} is not on this host; pulling it.`);
    let failure: string | null;
    try {
      failure = await readProgress(await this.docker.pull(withDefaultTag(baseImage)), onLog);
    } catch (error) {
      const mapped = dockerFailure(`pull ${baseImage}`, error);
      if (mapped.code === 'DOCKER_UNAVAILABLE') throw mapped;
      failure = engineMessage(error);
    }
    if (failure !== null || !(await this.imageExists(baseImage))) {
      throw new DaisError(
        'IMAGE_UNAVAILABLE',
        `The base image ${baseImage} is not on this host and could not be pulled (${failure ?? 'the pull produced no image'}). ` +
          'Build or load it on this host (docs/images.md), or use a catalogue image that is available.',
        { image: baseImage },
      );
    }
  }

  private async runBuild(prepared: PreparedImageBuild, onLog: (line: string) => void): Promise<void> {
    const context = await dockerfileContext(prepared.dockerfile);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    let failure: string | null;
    try {
      const output = await this.docker.buildImage(context, {
        t: prepared.tag,
        labels: {
          [SITE_LABELS.managedBy]: this.options.namePrefix,
          [SITE_LABELS.siteId]: String(prepared.siteId),
          [SITE_LABELS.specHash]: prepared.hash,
        },
        // Intermediate containers go even when a step fails; the classic builder tags only on success.
        rm: true,
        forcerm: true,
        abortSignal: abort.signal,
      });
      failure = await readProgress(output, onLog);
    } catch (error) {
      if (abort.signal.aborted) {
        failure = `it ran longer than ${duration(this.timeoutMs)} and was stopped`;
      } else {
        throw dockerFailure(`build ${prepared.tag}`, error);
      }
    } finally {
      clearTimeout(timer);
    }
    if (failure !== null) {
      throw new DaisError(
        'IMAGE_BUILD_FAILED',
        `Building the image failed: ${failure}. The site keeps its current image; fix the packages or setup commands and build again.`,
        { image: prepared.tag },
      );
    }
  }

  /**
   * Keeps the newest `keepPerSite` images of the site (the new one included) and any image a
   * container uses, running or stopped; removes the rest by tag, without force, so the engine
   * itself refuses anything still referenced. Cleaning up never fails the build.
   */
  private async removeOldImages(prepared: PreparedImageBuild, onLog: (line: string) => void): Promise<void> {
    const repository = siteResourceName(this.options.namePrefix, prepared.siteId);
    try {
      const [images, containers] = await Promise.all([
        this.docker.listImages({
          filters: { label: [`${SITE_LABELS.managedBy}=${this.options.namePrefix}`, `${SITE_LABELS.siteId}=${prepared.siteId}`] },
        }),
        this.docker.listContainers({ all: true }),
      ]);
      const inUse = new Set(containers.map((container) => container.ImageID));
      const tags = images.flatMap((image) => (image.RepoTags ?? []).map((tag) => ({ tag, id: image.Id })));
      const candidates = tags.filter(({ tag }) => tag.startsWith(`${repository}:`) && tag !== prepared.tag);
      // The list gives creation times in whole seconds; builds of one site can be closer than that.
      const dated = await Promise.all(
        candidates.map(async (image) => ({ ...image, created: Date.parse((await this.docker.getImage(image.tag).inspect()).Created) })),
      );
      const older = dated.sort((a, b) => b.created - a.created).slice(this.keepPerSite - 1);
      for (const image of older) {
        if (inUse.has(image.id)) continue;
        try {
          await this.docker.getImage(image.tag).remove();
          onLog(`Removed the old image ${image.tag}.`);
        } catch (error) {
          onLog(`Kept the old image ${image.tag}: ${engineMessage(error)}`);
        }
      }
    } catch (error) {
      onLog(`Could not clean up old images of this site: ${engineMessage(error)}`);
    }
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

/** A build context (a tar) holding only the Dockerfile: nothing from the host can reach the image. */
async function dockerfileContext(dockerfile: string): Promise<Readable> {
  const archive = pack();
  archive.entry({ name: 'Dockerfile', mode: 0o644, mtime: new Date(0) }, dockerfile);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Readable.from([Buffer.concat(chunks)]);
}

function duration(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1_000)} seconds` : `${Math.round(ms / 60_000)} minutes`;
}

function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: unknown } } | null)?.json;
  if (typeof json?.message === 'string') return json.message;
  return error instanceof Error ? error.message : String(error);
}
