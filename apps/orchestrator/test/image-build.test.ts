import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedNdjson } from '../../../test/support/ndjson';
import { tempDir } from '../../../test/support/temp-dir';
import { buildTestImage } from '../../../test/support/test-images';
import { createDockerClient, SITE_LABELS } from '../src/docker/docker-client';
import {
  BUSYBOX,
  buildLog,
  builtImage,
  DEBIAN,
  finalEvent,
  requireImage,
  siteTags,
  startImageBuildServer,
  type ImageBuildServer,
} from './support/image-build-server';

describe('site image builds (real Docker engine, signed API)', () => {
  // Every image and container this file makes carries this prefix, so parallel runs never collide.
  const prefix = `dais-test-${randomBytes(4).toString('hex')}-`;
  const docker: Docker = createDockerClient('/var/run/docker.sock');
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let api: ImageBuildServer;

  const request = (siteId: number, setupCommands: string[][], overrides: Record<string, unknown> = {}) => ({
    siteId,
    base: BUSYBOX,
    packages: [],
    setupCommands,
    ...overrides,
  });
  const build = (siteId: number, body: unknown, server = api, options: Parameters<ImageBuildServer['build']>[2] = {}) =>
    server.build(siteId, body, options);
  const final = finalEvent;
  const logText = buildLog;
  const doneImage = builtImage;
  const tags = (siteId: number) => siteTags(docker, prefix, siteId);

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

  const server = (env: Record<string, string> = {}, socketPath?: string) =>
    startImageBuildServer({ dir: dir.path, prefix, env, ...(socketPath ? { socketPath } : {}) });

  beforeAll(async () => {
    await requireImage(docker, BUSYBOX.baseImage);
    dir = await tempDir('image-build');
    api = await server();
  });

  afterAll(async () => {
    await api.close();
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
    const before = await tags(1);
    expect(before).toEqual([firstImage]);
    const answer = await build(1, request(1, [...setup, ['sh', '-c', 'echo about-to-fail; exit 3']]));
    expect(answer.status).toBe(200);
    const event = final(answer);
    expect(event).toMatchObject({ type: 'error', code: 'IMAGE_BUILD_FAILED' });
    expect(event.type === 'error' && event.message).toMatch(/returned a non-zero code: 3.*keeps its current image/);
    expect(logText(answer)).toContain('about-to-fail');
    expect(await tags(1)).toEqual(before);
    expect(await runIn(firstImage, ['cat', '/dais-proof'])).toBe('made-by-setup\n');
  });

  it("hands on the base image's config unchanged: command, entrypoint, user, directory, environment", async () => {
    const configOf = async (image: string) => {
      const { Config } = await docker.getImage(image).inspect();
      const { Cmd, Entrypoint, User, WorkingDir, Env } = Config as unknown as Record<string, unknown>;
      // No command is no command, whether the engine writes null or [].
      return { Cmd: (Cmd as string[] | null) ?? [], Entrypoint: (Entrypoint as string[] | null) ?? [], User, WorkingDir, Env };
    };
    const bases = {
      [`${prefix}base-full:1`]:
        'FROM dais/busybox:latest\nENV GREETING=hi\nWORKDIR /srv\nUSER 4321\nENTRYPOINT ["/bin/sh","-c"]\nCMD ["echo $GREETING"]\n',
      [`${prefix}base-bare:1`]: 'FROM dais/busybox:latest\nCMD []\n',
    };
    for (const [tag, dockerfile] of Object.entries(bases)) {
      await buildTestImage(docker, tag, { Dockerfile: dockerfile }, { [SITE_LABELS.managedBy]: prefix });
      const built = doneImage(
        await build(11, request(11, [['sh', '-c', 'id -u > /srv/whoami 2>/dev/null || true']], { base: { ...BUSYBOX, baseImage: tag } })),
      );
      expect(await configOf(built)).toEqual(await configOf(tag));
    }
  });

  it('ends with IMAGE_UNAVAILABLE when the base image is neither here nor pullable', async () => {
    const base = { ...BUSYBOX, baseImage: `${prefix}missing/nothing:1` };
    const answer = await build(3, request(3, [['true']], { base }));
    const event = final(answer);
    expect(event).toMatchObject({ type: 'error', code: 'IMAGE_UNAVAILABLE' });
    expect(event.type === 'error' && event.message).toContain(`${prefix}missing/nothing:1 is not on this host`);
    expect(await tags(3)).toEqual([]);
  });

  it('keeps the newest two images of a site, and any image a container uses', async () => {
    const built: string[] = [];
    for (const marker of ['a', 'b']) built.push(doneImage(await build(4, request(4, [['touch', `/${marker}`]]))));
    // A stopped container still needs its image.
    await docker.createContainer({ Image: built[0], Cmd: ['true'], Labels: { [SITE_LABELS.managedBy]: prefix } });
    for (const marker of ['c', 'd']) built.push(doneImage(await build(4, request(4, [['touch', `/${marker}`]]))));
    expect(await tags(4)).toEqual([built[0], built[2], built[3]].sort());
    // Another site's images are not this site's to count.
    expect(await tags(1)).toEqual([firstImage]);
  });

  it('finishes a build whose client went away; the retry finds it built', async () => {
    const body = request(5, [['sh', '-c', 'echo slow-started; sleep 2; echo slow-finished']]);
    const first = await build(5, body, api, { stopWhen: (value) => JSON.stringify(value).includes('slow-started') });
    expect(first.stopped).toBe(true);
    const retry = await build(5, body);
    expect(final(retry)).toMatchObject({ type: 'done', cached: true });
  });

  it('stops a build that runs over its time limit, leaving no tag', async () => {
    const impatient = await server({ DAIS_BUILD_TIMEOUT_MS: '1500' });
    try {
      const answer = await build(6, request(6, [['sh', '-c', 'echo waiting; sleep 30']]), impatient);
      const event = final(answer);
      expect(event).toMatchObject({ type: 'error', code: 'IMAGE_BUILD_FAILED' });
      expect(event.type === 'error' && event.message).toContain('ran longer than 2 seconds');
      expect(answer.elapsedMs).toBeLessThan(10_000);
      expect(await tags(6)).toEqual([]);
    } finally {
      await impatient.close();
    }
  });

  it.skipIf(process.env.DAIS_SKIP_DEBIAN_IMAGE === '1')('installs a real Debian package on dais/debian', async () => {
    await requireImage(docker, DEBIAN.baseImage);
    const answer = await build(10, request(10, [], { base: DEBIAN, packages: ['hello'] }));
    const image = doneImage(answer);
    expect(logText(answer)).toMatch(/Setting up hello/);
    expect(await runIn(image, ['hello'])).toBe('Hello, world!\n');
  });

  it('refuses to build without the step tools on this host, naming the setting', async () => {
    const toolless = await server({ DAIS_BUILD_BUSYBOX: join(dir.path, 'no-busybox') });
    try {
      const event = final(await build(9, request(9, [['true']]), toolless));
      expect(event).toMatchObject({ type: 'error', code: 'RUNTIME_FAILED' });
      expect(event.type === 'error' && event.message).toContain('DAIS_BUILD_BUSYBOX');
      expect(await tags(9)).toEqual([]);
    } finally {
      await toolless.close();
    }
  });

  it('refuses to build on a network whose containers can reach each other (made by hand)', async () => {
    const network = `${prefix}icc-on`;
    await docker.createNetwork({ Name: network, Driver: 'bridge' });
    const careless = await server({ DAIS_BUILD_NETWORK: network });
    try {
      const event = final(await build(12, request(12, [['true']]), careless));
      expect(event).toMatchObject({ type: 'error', code: 'RUNTIME_FAILED' });
      expect(event.type === 'error' && event.message).toContain(`docker network rm ${network}`);
    } finally {
      await careless.close();
      await docker.getNetwork(network).remove();
    }
  });

  it('ends with DOCKER_UNAVAILABLE when the engine cannot be reached', async () => {
    const unreachable = await server({}, join(dir.path, 'no-docker.sock'));
    try {
      const event = final(await build(7, request(7, [['true']]), unreachable));
      expect(event).toMatchObject({ type: 'error', code: 'DOCKER_UNAVAILABLE' });
    } finally {
      await unreachable.close();
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
      expect(await tags(siteId)).toEqual([]);
    });

    it('unsigned (401)', async () => {
      const answer = await signedNdjson(api.url, null, 'POST', '/v1/sites/8/image', request(8, [['true']]));
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ error: { code: 'SIGNATURE_MISSING' } });
    });
  });
});
