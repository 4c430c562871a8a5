import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageBuildEventSchema, MemoryNonceStore, TRUSTED_ROUTES, type ImageBuildEvent, type ImageCatalogEntry } from '@dais/shared';
import { createComponentServer } from '@dais/shared/fastify';
import { writeComponentKeys } from '../../../test/support/keys';
import { signedNdjson, type StreamedAnswer } from '../../../test/support/ndjson';
import type { TestSigner } from '../../../test/support/signed-fetch';
import { tempDir } from '../../../test/support/temp-dir';
import { createDockerClient, SITE_LABELS } from '../src/docker/docker-client';
import { DockerImageBuilder } from '../src/docker/image-builder';
import { registerImageRoutes } from '../src/http/images.routes';

const SOCKET = '/var/run/docker.sock';
const BUSYBOX: ImageCatalogEntry = {
  name: 'busybox',
  baseImage: 'dais/busybox:latest',
  packageUpdate: null,
  packageInstall: null,
  runScript: '',
};
const DEBIAN: ImageCatalogEntry = {
  name: 'debian',
  baseImage: 'dais/debian:bookworm',
  packageUpdate: ['apt-get', 'update'],
  packageInstall: ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends'],
  runScript: '',
};

describe('site image builds (real Docker engine, signed API)', () => {
  // Every image and container this file makes carries this prefix, so parallel runs never collide.
  const prefix = `dais-test-${randomBytes(4).toString('hex')}-`;
  const docker: Docker = createDockerClient(SOCKET);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let app: FastifyInstance | undefined;
  let api: string;
  let manager: TestSigner;

  const request = (siteId: number, setupCommands: string[][], overrides: Record<string, unknown> = {}) => ({
    siteId,
    base: BUSYBOX,
    packages: [],
    setupCommands,
    ...overrides,
  });
  const build = (siteId: number, body: unknown, baseUrl = api, options: Parameters<typeof signedNdjson>[5] = {}) =>
    signedNdjson(baseUrl, manager, 'POST', `/v1/sites/${siteId}/image`, body, options);

  /** The events of a streamed answer, each checked against the contract. */
  const events = (answer: StreamedAnswer): ImageBuildEvent[] => answer.lines.map((line) => imageBuildEventSchema.parse(line.value));
  /** The one final event, which must be the last line. */
  const final = (answer: StreamedAnswer): ImageBuildEvent => {
    const all = events(answer);
    expect(all.filter((event) => event.type !== 'log')).toHaveLength(1);
    expect(all.at(-1)?.type).not.toBe('log');
    return all.at(-1)!;
  };
  const logText = (answer: StreamedAnswer) =>
    events(answer)
      .flatMap((event) => (event.type === 'log' ? [event.line] : []))
      .join('\n');
  const doneImage = (answer: StreamedAnswer): string => {
    const event = final(answer);
    if (event.type !== 'done') throw new Error(`expected done, got ${JSON.stringify(event)}\n${logText(answer)}`);
    return event.image;
  };

  const siteTags = async (siteId: number): Promise<string[]> => {
    const images = await docker.listImages({
      filters: { label: [`${SITE_LABELS.managedBy}=${prefix}`, `${SITE_LABELS.siteId}=${siteId}`] },
    });
    return images.flatMap((image) => image.RepoTags ?? []).sort();
  };

  /** Runs a command in a throw-away container of `image` and returns what it printed. */
  const runIn = async (image: string, cmd: string[]): Promise<string> => {
    const container = await docker.createContainer({ Image: image, Cmd: cmd, Tty: true, Labels: { [SITE_LABELS.managedBy]: prefix } });
    try {
      await container.start();
      await container.wait();
      return (await container.logs({ stdout: true, stderr: true })).toString('utf8').replace(/\r\n/g, '\n');
    } finally {
      await container.remove({ force: true });
    }
  };

  const requireImage = async (reference: string) => {
    try {
      await docker.getImage(reference).inspect();
    } catch {
      throw new Error(`${reference} is missing: run npm run setup (scripts/setup-images.sh builds it)`);
    }
  };

  async function server(socketPath: string, timeoutMs?: number): Promise<{ app: FastifyInstance; url: string }> {
    const server = createComponentServer({
      id: 'orchestrator',
      keysDir: join(dir.path, 'keys'),
      trustedRoutes: TRUSTED_ROUTES.orchestrator,
      nonces: new MemoryNonceStore(),
      bodyLimitBytes: 1024 * 1024,
      logLevel: 'silent',
    });
    registerImageRoutes(server, new DockerImageBuilder({ socketPath, namePrefix: prefix, ...(timeoutMs ? { timeoutMs } : {}) }));
    await server.listen({ host: '127.0.0.1', port: 0 });
    const address = server.addresses()[0]!;
    return { app: server, url: `http://127.0.0.1:${address.port}` };
  }

  beforeAll(async () => {
    await requireImage(BUSYBOX.baseImage);
    dir = await tempDir('image-build');
    const keys = await writeComponentKeys(join(dir.path, 'keys'), ['manager', 'orchestrator', 'shell']);
    manager = { callerId: 'manager', privateKey: keys.manager!, audience: 'orchestrator' };
    ({ app, url: api } = await server(SOCKET));
  });

  afterAll(async () => {
    await app?.close();
    const containers = await docker.listContainers({ all: true, filters: { label: [`${SITE_LABELS.managedBy}=${prefix}`] } });
    for (const info of containers) await docker.getContainer(info.Id).remove({ force: true });
    const images = await docker.listImages({ filters: { label: [`${SITE_LABELS.managedBy}=${prefix}`] } });
    for (const image of images) for (const tag of image.RepoTags ?? []) await docker.getImage(tag).remove({ force: true });
    await dir.remove();
  });

  const setup = [
    ['sh', '-c', 'echo step-one-started; sleep 1; echo made-by-setup > /dais-proof'],
    ['mkdir', '-p', '/opt/site'],
  ];
  let firstImage: string;

  it('builds from dais/busybox, streaming log lines while it runs; the image shows the setup', async () => {
    const answer = await build(1, request(1, setup));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/x-ndjson/);
    firstImage = doneImage(answer);
    expect(final(answer)).toEqual({ type: 'done', image: firstImage, cached: false });
    expect(firstImage).toMatch(new RegExp(`^${prefix}1:[0-9a-f]{12}$`));

    // The setup's output arrived while the build still had a second to run: streamed, not buffered.
    const started = answer.lines.find((line) => JSON.stringify(line.value).includes('step-one-started'));
    expect(started).toBeDefined();
    expect(answer.lines.at(-1)!.atMs - started!.atMs).toBeGreaterThan(500);

    expect(await runIn(firstImage, ['cat', '/dais-proof'])).toBe('made-by-setup\n');
    const { Config } = await docker.getImage(firstImage).inspect();
    expect(Config.Labels).toMatchObject({ [SITE_LABELS.managedBy]: prefix, [SITE_LABELS.siteId]: '1', 'dais.catalogue-image': 'busybox' });
  });

  it('answers the same input again with the same image, cached, without building', async () => {
    const answer = await build(1, request(1, setup));
    expect(final(answer)).toEqual({ type: 'done', image: firstImage, cached: true });
    expect(answer.elapsedMs).toBeLessThan(1_000);
    expect(logText(answer)).not.toContain('step-one-started');
  });

  it('passes hostile arguments to the program exactly, never through a shell of ours', async () => {
    const hostile = ['$(id)', '`id`', 'a"b', "c'd", 'back\\slash\\', 'semi; touch /pwned', 'two\nlines', '"]\nRUN ["touch","/pwned"]'];
    const answer = await build(2, request(2, [['sh', '-c', 'printf "%s|" "$@" > /args', 'sh', ...hostile]]));
    const image = doneImage(answer);
    expect(await runIn(image, ['cat', '/args'])).toBe(hostile.map((arg) => `${arg}|`).join(''));
    expect(await runIn(image, ['ls', '/pwned'])).toContain('No such file');
  });

  it('ends a failing setup command with an error event; no new tag, the earlier image stays', async () => {
    const before = await siteTags(1);
    expect(before).toEqual([firstImage]);
    const answer = await build(1, request(1, [...setup, ['sh', '-c', 'echo about-to-fail; exit 3']]));
    expect(answer.status).toBe(200);
    const event = final(answer);
    expect(event).toMatchObject({ type: 'error', code: 'IMAGE_BUILD_FAILED' });
    expect(event.type === 'error' && event.message).toMatch(/returned a non-zero code: 3.*keeps its current image/);
    expect(logText(answer)).toContain('about-to-fail');
    expect(await siteTags(1)).toEqual(before);
    expect(await runIn(firstImage, ['cat', '/dais-proof'])).toBe('made-by-setup\n');
  });

  it('ends with IMAGE_UNAVAILABLE when the base image is neither here nor pullable', async () => {
    const base = { ...BUSYBOX, baseImage: `${prefix}missing/nothing:1` };
    const answer = await build(3, request(3, [['true']], { base }));
    const event = final(answer);
    expect(event).toMatchObject({ type: 'error', code: 'IMAGE_UNAVAILABLE' });
    expect(event.type === 'error' && event.message).toContain(`${prefix}missing/nothing:1 is not on this host`);
    expect(await siteTags(3)).toEqual([]);
  });

  it('keeps the newest two images of a site, and any image a container uses', async () => {
    const built: string[] = [];
    for (const marker of ['a', 'b']) built.push(doneImage(await build(4, request(4, [['touch', `/${marker}`]]))));
    // A stopped container still needs its image.
    await docker.createContainer({ Image: built[0], Cmd: ['true'], Labels: { [SITE_LABELS.managedBy]: prefix } });
    for (const marker of ['c', 'd']) built.push(doneImage(await build(4, request(4, [['touch', `/${marker}`]]))));
    expect(await siteTags(4)).toEqual([built[0], built[2], built[3]].sort());
    // Another site's images are not this site's to count.
    expect(await siteTags(1)).toEqual([firstImage]);
  });

  it('finishes a build whose client went away; the retry finds it built', async () => {
    const body = request(5, [['sh', '-c', 'echo slow-started; sleep 2; echo slow-finished']]);
    const first = await build(5, body, api, { stopWhen: (value) => JSON.stringify(value).includes('slow-started') });
    expect(first.stopped).toBe(true);
    const retry = await build(5, body);
    expect(final(retry)).toMatchObject({ type: 'done', cached: true });
  });

  it('stops a build that runs over its time limit, leaving no tag', async () => {
    const impatient = await server(SOCKET, 1_500);
    try {
      const answer = await build(6, request(6, [['sh', '-c', 'echo waiting; sleep 30']]), impatient.url);
      const event = final(answer);
      expect(event).toMatchObject({ type: 'error', code: 'IMAGE_BUILD_FAILED' });
      expect(event.type === 'error' && event.message).toContain('ran longer than 2 seconds');
      expect(answer.elapsedMs).toBeLessThan(10_000);
      expect(await siteTags(6)).toEqual([]);
    } finally {
      await impatient.app.close();
    }
  });

  it.skipIf(process.env.DAIS_SKIP_DEBIAN_IMAGE === '1')('installs a real Debian package on dais/debian', async () => {
    await requireImage(DEBIAN.baseImage);
    const answer = await build(10, request(10, [], { base: DEBIAN, packages: ['hello'] }));
    const image = doneImage(answer);
    expect(logText(answer)).toMatch(/Setting up hello/);
    expect(await runIn(image, ['hello'])).toBe('Hello, world!\n');
  });

  it('ends with DOCKER_UNAVAILABLE when the engine cannot be reached', async () => {
    const unreachable = await server(join(dir.path, 'no-docker.sock'));
    try {
      const event = final(await build(7, request(7, [['true']]), unreachable.url));
      expect(event).toMatchObject({ type: 'error', code: 'DOCKER_UNAVAILABLE' });
    } finally {
      await unreachable.app.close();
    }
  });

  describe('refuses bad input with a JSON 400 naming the rule, before building anything', () => {
    it.each([
      [
        'an option as a package',
        8,
        request(8, [], { base: DEBIAN, packages: ['--allow-unauthenticated'] }),
        'VALIDATION_FAILED',
        'packages.0',
      ],
      [
        'a shell command as a package',
        8,
        request(8, [], { base: DEBIAN, packages: ['curl; rm -rf /'] }),
        'VALIDATION_FAILED',
        'packages.0',
      ],
      ['two words as a package', 8, request(8, [], { base: DEBIAN, packages: ['a b'] }), 'VALIDATION_FAILED', 'packages.0'],
      ['an empty setup command', 8, request(8, [[]]), 'VALIDATION_FAILED', 'setupCommands.0'],
      [
        'a hostile base image',
        8,
        request(8, [], { base: { ...BUSYBOX, baseImage: 'x\nRUN ["evil"]' } }),
        'VALIDATION_FAILED',
        'base.baseImage',
      ],
      ['an unknown field', 8, request(8, [], { privileged: true }), 'VALIDATION_FAILED', '(body)'],
      ['a body for another site', 8, request(9, [['true']]), 'VALIDATION_FAILED', null],
      ['packages on an image that cannot install any', 8, request(8, [], { packages: ['curl'] }), 'IMAGE_PACKAGES_UNSUPPORTED', null],
    ])('%s', async (_label, siteId, body, code, path) => {
      const answer = await build(siteId, body);
      expect(answer.status).toBe(400);
      expect(answer.contentType).toMatch(/^application\/json/);
      expect(answer.json).toMatchObject({ error: { code } });
      if (path)
        expect(
          (answer.json as { error: { details: { issues: { path: string }[] } } }).error.details.issues.map((issue) => issue.path),
        ).toContain(path);
      expect(await siteTags(siteId)).toEqual([]);
    });

    it('unsigned (401)', async () => {
      const answer = await signedNdjson(api, null, 'POST', '/v1/sites/8/image', request(8, [['true']]));
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ error: { code: 'SIGNATURE_MISSING' } });
    });
  });
});
