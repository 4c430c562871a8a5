import type Docker from 'dockerode';
import type { RuntimeSite } from '../sites/runtime-driver';
import type { RuntimePlacement } from './container-spec';
import { createDockerClient } from './docker-client';
import { ExecSession, type ExecOutput, type ExecRequest } from './exec-session';
import { followContainerLogs, type LogOutput, type LogStart } from './log-stream';
import { findSiteContainer, removeStaleTerminalContainers, startTerminalContainer, type TerminalContainer } from './terminal-container';

export type { ExecOutput, ExecRequest, ExecSession, LogOutput, LogStart, TerminalContainer };

/**
 * What live sessions (terminals, logs, the shell's sessions) need from the Docker engine, so the
 * websocket code never sees dockerode: find a site's container, start a terminal container, run a
 * process in a container, follow a container's output.
 */
export class ContainerSessions {
  private readonly docker: Docker;

  constructor(
    socketPath: string,
    private readonly namePrefix: string,
  ) {
    this.docker = createDockerClient(socketPath);
  }

  /** The id of the site's running container on this host, or null. */
  siteContainer(siteId: number): Promise<string | null> {
    return findSiteContainer(this.docker, this.namePrefix, siteId);
  }

  /** Starts a container for one terminal session (see {@link startTerminalContainer}). */
  startTerminalContainer(site: RuntimeSite, network: string, lifetimeMs: number): Promise<TerminalContainer> {
    const placement: RuntimePlacement = { namePrefix: this.namePrefix, network };
    return startTerminalContainer(this.docker, site, placement, lifetimeMs);
  }

  /** Starts a process in a container. */
  exec(request: ExecRequest, output: ExecOutput): Promise<ExecSession> {
    return ExecSession.start(this.docker, request, output);
  }

  /** Follows a container's output; returns a function that stops following. */
  followLogs(containerId: string, start: LogStart, output: LogOutput): Promise<() => void> {
    return followContainerLogs(this.docker, containerId, start, output);
  }

  /** Removes terminal containers a previous run left behind. */
  removeStaleTerminals(): Promise<void> {
    return removeStaleTerminalContainers(this.docker, this.namePrefix);
  }
}
