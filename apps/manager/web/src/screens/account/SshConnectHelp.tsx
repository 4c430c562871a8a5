import type { ReactNode } from 'react';
import type { PlatformView } from '@dais/shared/rules';
import { useAccount } from '../../app/auth';
import { useApi } from '../../api/use-api';
import { CopyButton } from '../../ui/CopyButton';

/** How to reach the shell and SFTP, with this installation's own host and port filled in. */
export function SshConnectHelp(): ReactNode {
  const account = useAccount();
  const platform = useApi<PlatformView>('/api/platform');
  const ssh = platform.data?.ssh;
  // Without the platform's answer the commands keep placeholders rather than guessing an address.
  const port = ssh ? String(ssh.port) : 'PORT';
  const host = ssh?.host ?? 'HOST';
  const commands = [
    { what: 'Open the menu of your sites', command: `ssh -p ${port} ${account.username}@${host}` },
    { what: 'Open a shell in one site (replace SITE with its name)', command: `ssh -p ${port} ${account.username}+SITE@${host}` },
    { what: 'Transfer files with SFTP', command: `sftp -P ${port} ${account.username}+SITE@${host}` },
  ];
  return (
    <section className="card account-section" aria-labelledby="connect-title">
      <h2 id="connect-title">Connect over SSH and SFTP</h2>
      <p>Sign in with your password or one of the SSH keys above.</p>
      {ssh ? null : (
        <p className="field-hint" role="status">
          {platform.loading
            ? 'Looking up this installation’s address…'
            : 'The shell’s address is not known here: ask your administrator for HOST and PORT.'}
        </p>
      )}
      <ul className="command-list">
        {commands.map(({ what, command }) => (
          <li key={what}>
            <span>{what}</span>
            <span className="command">
              <code>{command}</code>
              <CopyButton value={command} />
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
