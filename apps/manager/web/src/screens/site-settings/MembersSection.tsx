import { useState, type ReactNode } from 'react';
import { manager } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import type { SiteMemberView } from '../../api/types';
import { useAccount } from '../../app/auth';
import { navigate } from '../../app/router';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Loading } from '../../ui/Spinner';
import { timeAgo } from '../../ui/format';
import { AddMemberForm } from './AddMemberForm';

/** Everyone who owns the site equally: any member may add others, or remove anyone but the last one. */
export function MembersSection({ siteId }: { siteId: number }): ReactNode {
  const me = useAccount();
  const members = useApi<{ members: SiteMemberView[] }>(`/api/sites/${siteId}/members`);
  const [leaving, setLeaving] = useState<SiteMemberView | null>(null);
  const removing = useAction(async (member: SiteMemberView) => {
    await manager.delete(`/api/sites/${siteId}/members/${member.userId}`);
    setLeaving(null);
    // Removing yourself ends your access: the site is no longer yours to see.
    if (member.userId === me.id && me.role !== 'admin') navigate('/sites');
    else members.set((current) => ({ members: (current?.members ?? []).filter((m) => m.userId !== member.userId) }));
  });
  const list = members.data?.members;

  return (
    <section className="card" aria-labelledby="members-title">
      <h3 id="members-title">Members</h3>
      <p className="field-hint">Members own the site equally: they can change it, add others and remove anyone but the last member.</p>
      {list ? (
        <ul className="member-list">
          {list.map((member) => (
            <li key={member.userId} className="actions">
              <span>
                <strong>{member.displayName || member.username}</strong> <span className="mono">@{member.username}</span>
                {member.userId === me.id ? ' (you)' : ''}
              </span>
              <span className="field-hint" title={new Date(member.addedAt).toLocaleString()}>
                added {timeAgo(member.addedAt)}
              </span>
              <Button variant="ghost" className="button-small" onClick={() => setLeaving(member)} aria-label={`Remove ${member.username}`}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      ) : members.error ? null : (
        <Loading what="the members" />
      )}
      <ErrorNotice error={members.error} />
      <AddMemberForm siteId={siteId} onAdded={(member) => members.set((current) => ({ members: [...(current?.members ?? []), member] }))} />
      <ConfirmDialog
        open={leaving !== null}
        title={leaving?.userId === me.id ? 'Leave this site?' : `Remove ${leaving?.username ?? 'this member'}?`}
        confirmLabel={leaving?.userId === me.id ? 'Leave site' : 'Remove member'}
        danger
        busy={removing.busy}
        onConfirm={() => leaving && void removing.run(leaving)}
        onCancel={() => {
          setLeaving(null);
          removing.clearError();
        }}
      >
        <p>They lose access to the site at once, including its live updates, files and shell.</p>
        {removing.error?.code === 'LAST_MEMBER' ? (
          <div className="notice notice-error" role="alert">
            This is the site's last member. A site always keeps at least one owner: add another member first, or delete the site.
          </div>
        ) : (
          <ErrorNotice error={removing.error} />
        )}
      </ConfirmDialog>
    </section>
  );
}
