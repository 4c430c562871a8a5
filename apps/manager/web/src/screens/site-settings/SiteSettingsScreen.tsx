import type { ReactNode } from 'react';
import type { ScreenProps } from '../../app/screen-props';
import { useAccount } from '../../app/auth';
import { SiteFrame, useSite } from '../site/SiteFrame';
import { AdminSection } from './AdminSection';
import { DescriptionSection } from './DescriptionSection';
import { MembersSection } from './MembersSection';
import { OperationNotice } from '../../operations/OperationNotice';
import { RenameSection } from './RenameSection';
import { RuntimeSection } from './RuntimeSection';
import './site-settings.css';

/** `/sites/:siteId/settings`: name, description, members, what the site runs, and for admins its limits and availability. */
export default function SiteSettingsScreen({ params }: ScreenProps): ReactNode {
  return (
    <SiteFrame siteId={params.siteId ?? ''} tab="settings">
      <SettingsPage />
    </SiteFrame>
  );
}

function SettingsPage(): ReactNode {
  const { site } = useSite();
  const account = useAccount();
  const isAdmin = account.role === 'admin';
  // An admin disabled the site: its members see it but every change answers SITE_LOCKED.
  const locked = site.availability === 'disabled' && !isAdmin;
  return (
    <section className="settings-page" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {locked ? (
        <div className="notice notice-error" role="alert">
          An admin disabled this site: it is not served, and it cannot be changed until an admin enables it again.
        </div>
      ) : null}
      <OperationNotice operation={site.operation} kinds={['update_site']} />
      <DescriptionSection locked={locked} />
      <RenameSection locked={locked} />
      <MembersSection siteId={site.id} />
      <RuntimeSection key={`${site.type}:${site.runtime?.image ?? ''}`} locked={locked} />
      {isAdmin ? <AdminSection /> : null}
    </section>
  );
}
