import { DaisError, parseInput, siteImageBuildSchema, type SiteImageBuild } from '@dais/shared';
import { SITE_LABELS } from './docker-client';

/** Label naming the catalogue image a site's image was built from. */
export const CATALOGUE_IMAGE_LABEL = 'dais.catalogue-image';

/** One step of a site's image build: an argv run without a shell, as `RUN ["…"]` runs it. */
export interface BuildStep {
  argv: string[];
  /**
   * The catalogue's package-list refresh: its result goes stale, so a cached one is reused only on
   * the day it was made (the classic `apt-get update` layer that fails installs weeks later).
   */
  refreshesDaily: boolean;
}

/** What a site's image is: its base, the steps on top, and the labels it ends with. */
export interface SiteImagePlan {
  baseImage: string;
  steps: BuildStep[];
  labels: Record<string, string>;
}

/**
 * The steps of a site's own image, `FROM` the catalogue image: the package update and install
 * (the packages appended to the catalogue's install command), then each setup command. The input
 * is validated again here, and anything that fails is refused rather than escaped.
 *
 * @throws DaisError `VALIDATION_FAILED` for input outside the contract, `IMAGE_PACKAGES_UNSUPPORTED`
 *   for packages on an image whose catalogue entry cannot install any.
 */
export function planSiteImage(input: SiteImageBuild): SiteImagePlan {
  const build = parseInput(siteImageBuildSchema, input, 'image build');
  const { base } = build;
  const steps: BuildStep[] = [];
  if (build.packages.length > 0) {
    if (base.packageInstall === null) {
      throw new DaisError(
        'IMAGE_PACKAGES_UNSUPPORTED',
        `The image "${base.name}" cannot install packages: its catalogue entry has no install command. ` +
          'Remove the packages, or choose an image that can install them.',
        { image: base.name, packages: build.packages },
      );
    }
    if (base.packageUpdate !== null) steps.push({ argv: base.packageUpdate, refreshesDaily: true });
    steps.push({ argv: [...base.packageInstall, ...build.packages], refreshesDaily: false });
  }
  for (const command of build.setupCommands) steps.push({ argv: command, refreshesDaily: false });
  return { baseImage: base.baseImage, steps, labels: { [SITE_LABELS.siteId]: String(build.siteId), [CATALOGUE_IMAGE_LABEL]: base.name } };
}

/**
 * The Dockerfile that describes a site's image: the plan above as `FROM`, one JSON exec-form
 * `RUN [...]` per step, then `LABEL`. It names the image (its hash is the tag) and is what the
 * build log shows; the contained builder runs the same plan step by step (image-builder.ts).
 *
 * `JSON.stringify` escapes quotes, backslashes and every control character (newlines included), so
 * no value can end its line, start another instruction, or be read by a shell we did not ask for.
 */
export function renderSiteDockerfile(input: SiteImageBuild): string {
  return dockerfileOf(planSiteImage(input));
}

/** The plan as Dockerfile text (labels last, so step layers stay shareable between sites). */
export function dockerfileOf(plan: SiteImagePlan): string {
  const labels = Object.entries(plan.labels).map(([key, value]) => `${json(key)}=${json(value)}`);
  return `${[`FROM ${plan.baseImage}`, ...plan.steps.map((step) => runLine(step.argv)), `LABEL ${labels.join(' ')}`].join('\n')}\n`;
}

/** The `RUN [...]` line of one step, as the build log shows it. */
export function runLine(argv: readonly string[]): string {
  return `RUN ${json(argv)}`;
}

/**
 * JSON with everything outside printable ASCII as `\uXXXX`: the file stays one instruction per
 * line even for readers that also break lines at U+2028/U+2029 or mangle other encodings.
 */
function json(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
