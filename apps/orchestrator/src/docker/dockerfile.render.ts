import { DaisError, parseInput, siteImageBuildSchema, type SiteImageBuild } from '@dais/shared';
import { SITE_LABELS } from './docker-client';

/** Label naming the catalogue image a site's image was built from. */
export const CATALOGUE_IMAGE_LABEL = 'dais.catalogue-image';

/**
 * The Dockerfile of a site's own image: `FROM` the catalogue image, the package update and install
 * (the packages appended to the catalogue's install command), each setup command, then labels.
 *
 * Every command is a JSON exec-form `RUN [...]`: Docker runs the argv without a shell, and
 * `JSON.stringify` escapes quotes, backslashes and every control character (newlines included), so
 * no value can end its line, start another instruction, or be read by a shell we did not ask for.
 * The input is validated again here, and anything that fails is refused rather than escaped. The
 * labels come last so the `RUN` layers stay shareable (Docker's cache) between sites with the same
 * setup.
 *
 * @throws DaisError `VALIDATION_FAILED` for input outside the contract, `IMAGE_PACKAGES_UNSUPPORTED`
 *   for packages on an image whose catalogue entry cannot install any.
 */
export function renderSiteDockerfile(input: SiteImageBuild): string {
  const build = parseInput(siteImageBuildSchema, input, 'image build');
  const { base } = build;
  const lines = [`FROM ${base.baseImage}`];
  if (build.packages.length > 0) {
    if (base.packageInstall === null) {
      throw new DaisError(
        'IMAGE_PACKAGES_UNSUPPORTED',
        `The image "${base.name}" cannot install packages: its catalogue entry has no install command. ` +
          'Remove the packages, or choose an image that can install them.',
        { image: base.name, packages: build.packages },
      );
    }
    if (base.packageUpdate !== null) lines.push(run(base.packageUpdate));
    lines.push(run([...base.packageInstall, ...build.packages]));
  }
  for (const command of build.setupCommands) lines.push(run(command));
  lines.push(`LABEL ${label(SITE_LABELS.siteId, String(build.siteId))} ${label(CATALOGUE_IMAGE_LABEL, base.name)}`);
  return `${lines.join('\n')}\n`;
}

function run(argv: readonly string[]): string {
  return `RUN ${json(argv)}`;
}

function label(key: string, value: string): string {
  return `${json(key)}=${json(value)}`;
}

/**
 * JSON with everything outside printable ASCII as `\uXXXX`: the file stays one instruction per
 * line even for readers that also break lines at U+2028/U+2029 or mangle other encodings.
 */
function json(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
