import { clampTerminalSize, DEFAULT_RESOURCE_LIMITS, type SiteSpec } from '@dais/shared';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import type { ContainerSessions, ExecOutput, ExecSession } from '../docker/container-sessions';
import { SITE_MOUNT, toRuntimeSite } from '../sites/to-runtime-site';
import type { SiteDirectories } from '../sites/site-directories';
import type { RuntimeSite } from '../sites/runtime-driver';

/** The image of a terminal for a static site (setup always builds it). */
export const STATIC_TERMINAL_IMAGE = 'dais/busybox:latest';

/** bash when the image has it, else sh; a login shell so the image's profile applies. */
const INTERACTIVE_SHELL = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash -l; fi; exec sh -l'];

/** What a session runs in the site's container. */
export type SiteProcess =
  | { kind: 'shell'; term: string; size: { cols: number; rows: number } }
  | { kind: 'command'; command: string; tty: boolean; term: string; size: { cols: number; rows: number } };

/** What {@link SiteProcessLauncher} needs. */
export interface SiteProcessDeps {
  containers: ContainerSessions;
  config: OrchestratorConfig;
  files: SiteDirectories;
}

/** A started process and what to undo when its session ends. */
export interface LaunchedProcess {
  session: ExecSession;
  release(): Promise<void>;
}

/**
 * Starts processes in a site's container as the site's user, in its folder, with its `.home` as
 * HOME. A dynamic site with a running container is entered directly; a static site (or a dynamic
 * one whose container is not running) gets a terminal container with the same mounts, user and
 * limits, removed with the session.
 */
export class SiteProcessLauncher {
  constructor(private readonly deps: SiteProcessDeps) {}

  /**
   * Finds or makes the container, then starts the process in it. `announceStandIn` is called
   * before the process starts when a dynamic site's own container is not running, so the person
   * learns their shell is not beside the site's processes.
   */
  async launch(
    spec: SiteSpec,
    what: SiteProcess,
    output: ExecOutput,
    announceStandIn: () => void = () => undefined,
  ): Promise<LaunchedProcess> {
    const { config, containers } = this.deps;
    let containerId = spec.runtime ? await containers.siteContainer(spec.id) : null;
    let release = () => Promise.resolve();
    if (!containerId) {
      // A Swarm overlay network may not accept plain containers; the terminal then has no network.
      const network = config.runtime.kind === 'docker' ? config.runtime.network : 'none';
      const container = await containers.startTerminalContainer(this.terminalSite(spec), network, config.live.maxLifetimeMs);
      containerId = container.id;
      release = () => container.remove();
      if (spec.runtime) announceStandIn();
    }
    const command = what.kind === 'shell' ? INTERACTIVE_SHELL : ['/bin/sh', '-c', what.command];
    const tty = what.kind === 'shell' || what.tty;
    try {
      const session = await containers.exec(
        {
          containerId,
          command,
          user: `${this.uidOf(spec.id)}:${this.uidOf(spec.id)}`,
          workingDir: SITE_MOUNT,
          env: [`HOME=${SITE_MOUNT}/.home`, `TERM=${what.term}`, 'LANG=C.UTF-8'],
          tty,
          ...(tty ? { size: clampTerminalSize(what.size.cols, what.size.rows) } : {}),
        },
        output,
      );
      return { session, release };
    } catch (error) {
      await release().catch(() => undefined);
      throw error;
    }
  }

  /** The site as its own container would run it; a static site on the busybox image with default limits. */
  private terminalSite(spec: SiteSpec): RuntimeSite {
    const where = { siteDir: this.deps.files.siteDir(spec.id), uid: this.uidOf(spec.id), hasRunScript: false };
    if (spec.runtime) return toRuntimeSite(spec, where);
    return {
      siteId: spec.id,
      name: spec.name,
      image: STATIC_TERMINAL_IMAGE,
      command: { kind: 'image' },
      env: { HOME: `${SITE_MOUNT}/.home`, SITE_NAME: spec.name },
      limits: { ...DEFAULT_RESOURCE_LIMITS },
      replicas: 1,
      running: true,
      siteDir: where.siteDir,
      uid: where.uid,
    };
  }

  private uidOf(siteId: number): number {
    return this.deps.config.runtime.uidBase + siteId;
  }
}
