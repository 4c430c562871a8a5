import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { Container } from 'dockerode';
import { OutputLines } from './build-progress';
import { dockerFailure } from './docker-util';
import { ExecSession } from './exec-session';

/**
 * Capabilities a build step keeps; every other one is dropped. Package managers and install
 * scripts run as root and need exactly these: CHOWN, DAC_OVERRIDE and FOWNER to unpack files with
 * their owners and modes into directories root does not own; FSETID so a setgid file of another
 * group (`chage`, `ssh-agent`) keeps its bit; SETUID and SETGID for apt's switch to the `_apt` user
 * and for `chpst`/`su`-style scripts; KILL so apt can stop its `_apt` helpers. Not kept, among
 * Docker's defaults: NET_RAW (raw packets: spoofing on the build network), MKNOD, SETFCAP (a
 * postinst that sets file capabilities falls back to setuid bits), SETPCAP, SYS_CHROOT,
 * NET_BIND_SERVICE and AUDIT_WRITE, which no install needs.
 */
export const BUILD_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'SETUID', 'SETGID', 'KILL'] as const;

/** Where each step's tools are mounted: on /dev, a tmpfs, so nothing of them reaches the layer. */
const TOOLS = '/dev/.dais';
const HOLD = [`${TOOLS}/init`, '--', `${TOOLS}/busybox`, 'sleep', '2147483647'];

/** The fence every step runs inside. */
export interface StepSandbox {
  /** Prefix of the step containers' names (`<prefix>build-<site>-<random>`). */
  namePrefix: string;
  labels: Record<string, string>;
  network: string;
  memoryBytes: number;
  nanoCpus: number;
  pids: number;
  /** How long a whole build may take (the step's deadline comes from it). */
  timeoutMs: number;
  /** Host paths of a static busybox and of docker-init (tini), mounted read-only into each step. */
  busybox: string;
  init: string;
}

/** One step: a command run on `parent`, committed with `config` if it succeeds. */
export interface StepRequest {
  siteId: number;
  parent: string;
  argv: string[];
  /** The user the command runs as (the image's USER). */
  user: string;
  /** The image config the result must carry (the base image's, restored: CMD, ENTRYPOINT, ENV…). */
  config: Record<string, unknown>;
  /** Epoch ms after which the step is stopped. */
  deadline: number;
}

/** A committed layer, or the reason the step failed, phrased to follow "step N …". */
export type StepResult = { ok: true; image: string } | { ok: false; reason: string };

/** What the step's cgroup recorded: fork attempts refused at the pids limit, processes OOM-killed. */
interface LimitEvents {
  pidsRefused: number;
  oomKills: number;
}

/**
 * Runs build steps each in its own container, fenced like nothing else on the host: memory (no
 * swap), CPU and pids limits, only {@link BUILD_CAPABILITIES}, no new privileges, the build network.
 *
 * The container's first process only holds it open (tini reaping a sleeping busybox); the command
 * runs beside it through `exec`. So when the command ends, its cgroup is still there to be read:
 * a fork bomb that "succeeds" once its forks start failing, or an install whose compiler was
 * OOM-killed behind an exit code 0, still fails with the limit it hit. Then the container is killed
 * and, on success, committed with the base image's config restored.
 */
export class BuildStepRunner {
  constructor(
    private readonly docker: Docker,
    private readonly sandbox: StepSandbox,
  ) {}

  async run(request: StepRequest, onLog: (line: string) => void): Promise<StepResult> {
    const container = await this.create(request);
    try {
      await container.start().catch((error: unknown) => {
        throw dockerFailure('start a build step', error);
      });
      const outcome = await this.exec(container, request, onLog);
      const events = outcome === 'timeout' ? null : await this.limitEvents(container);
      await container.kill().catch(() => undefined);
      await container.wait({ condition: 'not-running' }).catch(() => undefined);
      const reason = this.failure(outcome, events, request.argv);
      if (reason !== null) return { ok: false, reason };
      const committed = (await container
        .commit({ _query: { container: container.id, pause: false }, _body: request.config })
        .catch((error: unknown) => {
          throw dockerFailure('commit a build step', error);
        })) as { Id: string };
      return { ok: true, image: committed.Id };
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  /** The final layer (labels only): a container made from `parent`, never started, committed as `tag`. */
  async commitImage(
    siteId: number,
    parent: string,
    config: Record<string, unknown>,
    reference: { repo: string; tag: string },
  ): Promise<string> {
    const container = await this.create({ siteId, parent, argv: [], user: '', config, deadline: 0 });
    try {
      const committed = (await container
        .commit({ _query: { container: container.id, repo: reference.repo, tag: reference.tag, pause: false }, _body: config })
        .catch((error: unknown) => {
          throw dockerFailure(`tag ${reference.repo}:${reference.tag}`, error);
        })) as { Id: string };
      return committed.Id;
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  private async create(request: StepRequest): Promise<Container> {
    const { sandbox } = this;
    return this.docker
      .createContainer({
        name: `${sandbox.namePrefix}build-${request.siteId}-${randomBytes(4).toString('hex')}`,
        Image: request.parent,
        Entrypoint: HOLD,
        User: request.user,
        Labels: sandbox.labels,
        HostConfig: {
          Memory: sandbox.memoryBytes,
          MemorySwap: sandbox.memoryBytes,
          NanoCpus: sandbox.nanoCpus,
          PidsLimit: sandbox.pids,
          CapDrop: ['ALL'],
          CapAdd: [...BUILD_CAPABILITIES],
          SecurityOpt: ['no-new-privileges'],
          Privileged: false,
          NetworkMode: sandbox.network,
          Binds: [`${sandbox.busybox}:${TOOLS}/busybox:ro`, `${sandbox.init}:${TOOLS}/init:ro`],
          LogConfig: { Type: 'none', Config: {} },
        },
      })
      .catch((error: unknown) => {
        throw dockerFailure('create a build step', error);
      });
  }

  /** Runs the command to its end or the deadline (then kills the container); resolves its exit code. */
  private async exec(container: Container, request: StepRequest, onLog: (line: string) => void): Promise<number | null | 'timeout'> {
    const out = new OutputLines(onLog);
    const err = new OutputLines(onLog);
    let timer: NodeJS.Timeout | undefined;
    const exited = new Promise<number | null>((resolve, reject) => {
      ExecSession.start(
        this.docker,
        { containerId: container.id, command: request.argv, user: request.user, workingDir: '', env: [], tty: false },
        { onData: (data, stderr) => (stderr ? err : out).push(data), onExit: resolve },
      ).then((session) => session.endInput(), reject);
    });
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, request.deadline - Date.now()));
    });
    try {
      const outcome = await Promise.race([exited, timedOut]);
      if (outcome === 'timeout') await container.kill().catch(() => undefined);
      return outcome;
    } finally {
      clearTimeout(timer);
      out.end();
      err.end();
    }
  }

  /**
   * Reads the step's own cgroup counters (v1 or v2 layout) with the mounted busybox. If even that
   * cannot start, the container is out of process slots: the pids limit stopped the step.
   */
  private async limitEvents(container: Container): Promise<LimitEvents> {
    const files = ['pids/pids.events', 'pids.events', 'memory/memory.oom_control', 'memory.events'].map((file) => `/sys/fs/cgroup/${file}`);
    let text = '';
    const code = await new Promise<number | null>((resolve) => {
      ExecSession.start(
        this.docker,
        {
          containerId: container.id,
          command: [`${TOOLS}/busybox`, 'head', '-n', '20', ...files],
          user: '0',
          workingDir: '',
          env: [],
          tty: false,
        },
        { onData: (data, stderr) => (stderr ? undefined : (text += data.toString('utf8'))), onExit: resolve },
      ).then(
        (session) => session.endInput(),
        () => resolve(null),
      );
    });
    if (code === null && text === '') {
      // Nothing could start: out of process slots, unless the whole container was OOM-killed.
      const state = (await container.inspect().catch(() => null))?.State;
      return state && !state.Running && state.OOMKilled ? { pidsRefused: 0, oomKills: 1 } : { pidsRefused: 1, oomKills: 0 };
    }
    return parseLimitEvents(text);
  }

  private failure(outcome: number | null | 'timeout', events: LimitEvents | null, argv: string[]): string | null {
    if (outcome === 'timeout') return `was stopped: the build ran longer than ${duration(this.sandbox.timeoutMs)}, its time limit`;
    if (events && events.oomKills > 0) return `ran out of memory: builds may use ${Math.round(this.sandbox.memoryBytes / 1024 / 1024)} MB`;
    if (events && events.pidsRefused > 0) return `reached the limit of ${this.sandbox.pids} processes a build may run at once`;
    if (outcome === 0) return null;
    return `returned a non-zero code: ${outcome ?? 'unknown'} (${JSON.stringify(argv)})`;
  }
}

/** `90 seconds`, `30 minutes`. */
export function duration(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1_000)} seconds` : `${Math.round(ms / 60_000)} minutes`;
}

/**
 * Parses `head` output of the cgroup files: `pids.events` says `max N` (forks refused), memory's
 * `oom_kill N` (v1 `memory.oom_control`, v2 `memory.events`). Each file comes under its own
 * `==> path <==` header, since v2's memory.events also has a `max` line.
 */
export function parseLimitEvents(text: string): LimitEvents {
  const events: LimitEvents = { pidsRefused: 0, oomKills: 0 };
  let file = '';
  for (const line of text.split('\n')) {
    const header = /^==> (.*) <==$/.exec(line);
    if (header) {
      file = header[1] ?? '';
      continue;
    }
    const [key, value] = line.trim().split(/\s+/);
    const count = Number(value);
    if (!Number.isFinite(count)) continue;
    if (file.endsWith('pids.events') && key === 'max') events.pidsRefused += count;
    if (key === 'oom_kill' && (file.endsWith('memory.events') || file.endsWith('memory.oom_control'))) events.oomKills += count;
  }
  return events;
}
