import { execFile } from 'node:child_process';
import { DaisError } from '@dais/shared';
import { restoreInput, type DaisChain, type IpFamily } from './firewall-rules';

/** Applies Dais's chains to this host's packet filter. The only code that runs iptables. */
export interface Firewall {
  /**
   * Replaces the content of each chain at once and makes sure its hook jumps to it (first).
   * Safe to repeat and to run from several processes: the same input gives the same rules.
   * @throws DaisError `FIREWALL_FAILED` naming the command and its error.
   */
  apply(chains: readonly DaisChain[]): Promise<void>;
}

const BINARIES: Record<IpFamily, { restore: string; tables: string }> = {
  4: { restore: 'iptables-restore', tables: 'iptables' },
  6: { restore: 'ip6tables-restore', tables: 'ip6tables' },
};

/**
 * The host's `iptables`/`ip6tables` (Debian's `iptables` package, whichever backend Docker uses):
 * each family's chains are rewritten in one `iptables-restore --noflush` transaction (declaring a
 * chain empties it, nothing else is touched), then each hook gets its jump, inserted first, once.
 */
export class IptablesFirewall implements Firewall {
  async apply(chains: readonly DaisChain[]): Promise<void> {
    for (const family of [4, 6] as const) {
      const own = chains.filter((chain) => chain.family === family);
      if (own.length === 0) continue;
      await run(BINARIES[family].restore, ['--noflush'], restoreInput(own));
      for (const chain of own) await this.hook(family, chain);
    }
  }

  private async hook(family: IpFamily, chain: DaisChain): Promise<void> {
    const jump = [chain.hook, '-j', chain.name];
    const present = await run(BINARIES[family].tables, ['-w', '-C', ...jump]).then(
      () => true,
      () => false,
    );
    if (!present) await run(BINARIES[family].tables, ['-w', '-I', chain.hook, '1', '-j', chain.name]);
  }
}

function run(command: string, args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 15_000 }, (error, _stdout, stderr) => {
      if (!error) {
        resolve();
        return;
      }
      const detail = (stderr.trim() || error.message).split('\n')[0] ?? '';
      reject(
        new DaisError(
          'FIREWALL_FAILED',
          `Could not set up the packet filter (${command} ${args.join(' ')}: ${detail}). ` +
            'The orchestrator must run as root on a host with iptables (apt install iptables) and a running Docker engine.',
          undefined,
          { cause: error },
        ),
      );
    });
    // A command that reads no input may exit before we are done writing: its exit code says it all.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}
