import type Docker from 'dockerode';
import { DaisError } from '@dais/shared';
import { dockerFailure, isNotFound } from './docker-util';
import { digestReference, knownDigest, registryTarget, type RegistryTarget } from './registry-image';

/** An image as a Swarm service names it, and the local image it is. */
export interface PublishedImage {
  /** `<registry>/<path>@sha256:…` (or the site's own reference when it already names the registry). */
  reference: string;
  imageId: string;
}

/** How long a push is trusted before the registry is asked again (it may have been emptied meanwhile). */
const RECHECK_AFTER_MS = 60_000;

interface PushMessage {
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Digest?: string };
}

/**
 * Puts the images of a Swarm's sites into the Swarm's registry (DAIS_SWARM_REGISTRY), so every node
 * can pull them: tags the local image into the registry and pushes it, unless the registry already
 * holds that digest under the tag. One adapter over the engine: the engine talks to the registry
 * with its own settings (TLS, `insecure-registries`, credentials from `docker login`).
 */
export class RegistryPublisher {
  /** `<local reference> <image id>` → what it was published as, and when (the reconciler applies every site often). */
  private readonly published = new Map<string, { reference: string; at: number }>();

  constructor(
    private readonly docker: Docker,
    readonly registry: string,
  ) {}

  async publish(localReference: string): Promise<PublishedImage> {
    const image = await this.localImage(localReference);
    const key = `${localReference} ${image.Id}`;
    const recent = this.published.get(key);
    if (recent && Date.now() - recent.at < RECHECK_AFTER_MS) return { reference: recent.reference, imageId: image.Id };
    const reference = await this.publishImage(localReference, image);
    this.published.set(key, { reference, at: Date.now() });
    return { reference, imageId: image.Id };
  }

  private async publishImage(localReference: string, image: { RepoDigests?: string[] }): Promise<string> {
    const target = registryTarget(this.registry, localReference);
    if (!target) return localReference;
    await this.docker
      .getImage(localReference)
      .tag({ repo: target.repository, tag: target.tag })
      .catch((error: unknown) => {
        throw dockerFailure(`tag ${localReference} as ${target.repository}:${target.tag}`, error);
      });
    const known = knownDigest(image.RepoDigests, target.repository);
    if (known && (await this.registryDigest(target)) === known) return digestReference(target, known);
    return digestReference(target, await this.push(target));
  }

  private async localImage(reference: string): Promise<{ Id: string; RepoDigests?: string[] }> {
    try {
      return await this.docker.getImage(reference).inspect();
    } catch (error) {
      if (isNotFound(error)) {
        throw new DaisError(
          'IMAGE_UNAVAILABLE',
          `The image ${reference} is not on this Swarm manager, so it cannot be pushed to the registry ${this.registry}.`,
        );
      }
      throw dockerFailure(`inspect image ${reference}`, error);
    }
  }

  /** The digest the registry holds under the tag, or null (no such tag, or the registry cannot say). */
  private async registryDigest(target: RegistryTarget): Promise<string | null> {
    try {
      const answer = (await this.docker.getImage(`${target.repository}:${target.tag}`).distribution({})) as {
        Descriptor?: { digest?: string };
      };
      return answer.Descriptor?.digest ?? null;
    } catch {
      return null; // The push that follows says what is wrong, if anything is.
    }
  }

  private async push(target: RegistryTarget): Promise<string> {
    const where = `${target.repository}:${target.tag}`;
    let messages: PushMessage[];
    try {
      // An empty credential: the engine then uses what `docker login` stored for the registry, if anything.
      const stream = await this.docker.getImage(where).push({ authconfig: {} });
      messages = await new Promise<PushMessage[]>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (error: Error | null, output: PushMessage[]) => (error ? reject(error) : resolve(output))),
      );
    } catch (error) {
      throw this.unavailable(where, error instanceof Error ? error.message : String(error), error);
    }
    const failure = messages.find((message) => message.error);
    if (failure) throw this.unavailable(where, failure.errorDetail?.message ?? failure.error ?? 'unknown error');
    const digest = messages.map((message) => message.aux?.Digest).find((value): value is string => Boolean(value));
    if (!digest) throw this.unavailable(where, 'the engine reported no digest for the push');
    return digest;
  }

  private unavailable(where: string, reason: string, cause?: unknown): DaisError {
    return new DaisError(
      'REGISTRY_UNAVAILABLE',
      `Could not push ${where} to the Swarm's registry ${this.registry} (DAIS_SWARM_REGISTRY): ${reason}. ` +
        `Check that the registry runs and answers at ${this.registry}, and that this Docker engine trusts it ` +
        '(TLS, or "insecure-registries" in /etc/docker/daemon.json for plain HTTP; docs/swarm.md).',
      undefined,
      cause === undefined ? undefined : { cause },
    );
  }
}
