import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { RegistryPublisher } from './registry-publisher';

const REGISTRY = '172.17.0.1:5000';
const DIGEST = `sha256:${'cd'.repeat(32)}`;

/** An engine that knows one local image and a registry that holds `registryHolds` under its tag. */
function fakeEngine(options: { repoDigests?: string[]; registryHolds?: string | null; pushAnswer?: object[] }) {
  const calls: string[] = [];
  const image = (name: string) => ({
    inspect: () => {
      if (name !== 'dais/busybox:latest') return Promise.reject(Object.assign(new Error('no such image'), { statusCode: 404 }));
      return Promise.resolve({ Id: 'sha256:local', RepoDigests: options.repoDigests ?? [] });
    },
    tag: (tag: { repo: string; tag: string }) => Promise.resolve(void calls.push(`tag ${tag.repo}:${tag.tag}`)),
    distribution: () => {
      calls.push(`ask ${name}`);
      if (!options.registryHolds) return Promise.reject(new Error('manifest unknown'));
      return Promise.resolve({ Descriptor: { digest: options.registryHolds } });
    },
    push: () => {
      calls.push(`push ${name}`);
      const stream = new PassThrough();
      stream.end(
        (options.pushAnswer ?? [{ status: 'pushed' }, { aux: { Tag: 'latest', Digest: DIGEST } }]).map((m) => JSON.stringify(m)).join('\n'),
      );
      return Promise.resolve(stream);
    },
  });
  const docker = {
    getImage: image,
    modem: {
      followProgress(stream: PassThrough, done: (error: Error | null, output: object[]) => void) {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
        stream.on('end', () =>
          done(
            null,
            text
              .split('\n')
              .filter(Boolean)
              .map((line) => JSON.parse(line) as object),
          ),
        );
      },
    },
  } as unknown as Docker;
  return { docker, calls };
}

describe('publishing a site image to the Swarm registry', () => {
  it('pushes an image the registry does not have, and names it by the pushed digest', async () => {
    const { docker, calls } = fakeEngine({});
    const published = await new RegistryPublisher(docker, REGISTRY).publish('dais/busybox:latest');
    expect(published).toEqual({ reference: `${REGISTRY}/dais/busybox@${DIGEST}`, imageId: 'sha256:local' });
    expect(calls).toEqual([`tag ${REGISTRY}/dais/busybox:latest`, `push ${REGISTRY}/dais/busybox:latest`]);
  });

  it('does not push when the registry already holds the digest this engine pushed', async () => {
    const { docker, calls } = fakeEngine({ repoDigests: [`${REGISTRY}/dais/busybox@${DIGEST}`], registryHolds: DIGEST });
    const published = await new RegistryPublisher(docker, REGISTRY).publish('dais/busybox:latest');
    expect(published.reference).toBe(`${REGISTRY}/dais/busybox@${DIGEST}`);
    expect(calls.filter((call) => call.startsWith('push'))).toEqual([]);
  });

  it('pushes again when the registry lost the image (or holds another under the tag)', async () => {
    const { docker, calls } = fakeEngine({ repoDigests: [`${REGISTRY}/dais/busybox@${DIGEST}`], registryHolds: 'sha256:other' });
    await new RegistryPublisher(docker, REGISTRY).publish('dais/busybox:latest');
    expect(calls).toContain(`push ${REGISTRY}/dais/busybox:latest`);
  });

  it('asks the registry once a minute at most for the same image', async () => {
    const { docker, calls } = fakeEngine({});
    const publisher = new RegistryPublisher(docker, REGISTRY);
    await publisher.publish('dais/busybox:latest');
    await publisher.publish('dais/busybox:latest');
    expect(calls.filter((call) => call.startsWith('push'))).toHaveLength(1);
  });

  it('fails with REGISTRY_UNAVAILABLE naming the registry and what to check when the push fails', async () => {
    const { docker } = fakeEngine({
      pushAnswer: [{ error: 'connection refused', errorDetail: { message: 'dial tcp 172.17.0.1:5000: connect: connection refused' } }],
    });
    const failure = new RegistryPublisher(docker, REGISTRY).publish('dais/busybox:latest');
    await expect(failure).rejects.toMatchObject({ code: 'REGISTRY_UNAVAILABLE' });
    await expect(failure).rejects.toThrow(/172\.17\.0\.1:5000.*connection refused.*insecure-registries/s);
  });

  it('says the image is missing when this engine does not have it', async () => {
    const { docker } = fakeEngine({});
    await expect(new RegistryPublisher(docker, REGISTRY).publish('node:22')).rejects.toMatchObject({ code: 'IMAGE_UNAVAILABLE' });
  });
});
