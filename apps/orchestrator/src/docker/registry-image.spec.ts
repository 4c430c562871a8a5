import { describe, expect, it } from 'vitest';
import { digestReference, knownDigest, registryTarget } from './registry-image';

const REGISTRY = '172.17.0.1:5000';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('where the Swarm registry keeps an image', () => {
  it.each([
    ['dais/busybox:latest', `${REGISTRY}/dais/busybox`, 'latest'],
    ['dais/busybox', `${REGISTRY}/dais/busybox`, 'latest'],
    ['node:22', `${REGISTRY}/node`, '22'],
    ['dais-site-7:3f9a2c', `${REGISTRY}/dais-site-7`, '3f9a2c'],
    ['tr1234ab-7:0123456789ab', `${REGISTRY}/tr1234ab-7`, '0123456789ab'],
    ['ghcr.io/team/php:8.3', `${REGISTRY}/ghcr.io/team/php`, '8.3'],
    ['Registry.Example.org:8443/team/php:8.3', `${REGISTRY}/registry.example.org-8443/team/php`, '8.3'],
    ['localhost:5001/app', `${REGISTRY}/localhost-5001/app`, 'latest'],
    [`node@${DIGEST}`, `${REGISTRY}/node`, `sha256-${'ab'.repeat(32)}`],
    [`ghcr.io/x/y:1@${DIGEST}`, `${REGISTRY}/ghcr.io/x/y`, `sha256-${'ab'.repeat(32)}`],
  ])('%s → %s:%s', (reference, repository, tag) => {
    expect(registryTarget(REGISTRY, reference)).toEqual({ repository, tag });
  });

  it('keeps the same path under another registry, so one image has one place', () => {
    expect(registryTarget('registry.internal', 'dais/debian:bookworm')).toEqual({
      repository: 'registry.internal/dais/debian',
      tag: 'bookworm',
    });
  });

  it('uses an image that already names the registry as it is', () => {
    expect(registryTarget(REGISTRY, `${REGISTRY}/dais/busybox:latest`)).toBeNull();
    expect(registryTarget('Registry.Internal', 'registry.internal/app@sha256:00')).toBeNull();
  });

  it('keeps two registries apart whose images share a path', () => {
    const a = registryTarget(REGISTRY, 'a.example.org/app:1');
    const b = registryTarget(REGISTRY, 'b.example.org/app:1');
    expect(a?.repository).not.toBe(b?.repository);
  });

  it('names what a service runs by digest, so every node runs the pushed image', () => {
    expect(digestReference({ repository: `${REGISTRY}/dais/busybox`, tag: 'latest' }, DIGEST)).toBe(`${REGISTRY}/dais/busybox@${DIGEST}`);
  });
});

describe('the digest an image was pushed under', () => {
  it('is read from the image repo digests of that repository only', () => {
    const digests = [`other.example.org/dais/busybox@sha256:11`, `${REGISTRY}/dais/busybox@${DIGEST}`];
    expect(knownDigest(digests, `${REGISTRY}/dais/busybox`)).toBe(DIGEST);
    expect(knownDigest(digests, `${REGISTRY}/dais/busy`)).toBeNull();
    expect(knownDigest(undefined, `${REGISTRY}/dais/busybox`)).toBeNull();
  });
});
