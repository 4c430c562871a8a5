import { useState, type ReactNode } from 'react';
import { useAccount } from '../../app/auth';
import { manager } from '../../api/client';
import type { OperationView, SiteView } from '../../api/types';
import { useAction } from '../../api/use-api';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { siteActionError } from './site-action-error';

type SiteCommand = 'start' | 'stop' | 'restart' | 'repair';

const COMMAND_LABELS: Readonly<Record<SiteCommand, string>> = {
  start: 'Start',
  stop: 'Stop',
  restart: 'Restart',
  repair: 'Repair',
};

/**
 * Start / Stop / Restart for a dynamic site, Repair (re-apply everything) for admins. Each answers
 * with an operation, shown at once through `onStarted` while its live events follow.
 */
export function SiteRunControls({ site, onStarted }: { site: SiteView; onStarted: (operation: OperationView) => void }): ReactNode {
  const account = useAccount();
  const [pending, setPending] = useState<SiteCommand | null>(null);
  const command = useAction(async (which: SiteCommand) => {
    setPending(which);
    try {
      onStarted(await manager.post<OperationView>(`/api/sites/${site.id}/${which}`));
    } finally {
      setPending(null);
    }
  });
  const commands = commandsFor(site, account.role === 'admin');
  if (commands.length === 0) return null;

  return (
    <section className="card site-controls" aria-labelledby="site-controls-title">
      <h2 id="site-controls-title">Actions</h2>
      <div className="actions">
        {commands.map((which) => (
          <Button
            key={which}
            variant={which === 'repair' ? 'secondary' : which === 'stop' ? 'danger' : 'primary'}
            busy={pending === which}
            disabled={pending !== null}
            onClick={() => void command.run(which)}
          >
            {COMMAND_LABELS[which]}
          </Button>
        ))}
      </div>
      {account.role === 'admin' ? (
        <p className="field-hint">Repair re-applies everything the site should have: files, container, routes, domains, database.</p>
      ) : null}
      <ErrorNotice error={siteActionError(command.error)} />
    </section>
  );
}

/** A stopped site can be started, a running one stopped; both restarted; admins may also repair. */
function commandsFor(site: SiteView, admin: boolean): SiteCommand[] {
  const commands: SiteCommand[] = [];
  if (site.type === 'dynamic') commands.push(site.runtime?.stopped ? 'start' : 'stop', 'restart');
  if (admin) commands.push('repair');
  return commands;
}
