import type { ReactNode } from 'react';
import type { ScreenProps } from '../../app/screen-props';
import { DeleteSiteZone } from './DeleteSiteZone';
import { OperationProgress } from './OperationProgress';
import { SiteFrame, useSite } from './SiteFrame';
import { SiteRunControls } from './SiteRunControls';
import { SiteStatusPanel } from './SiteStatusPanel';
import './site-overview.css';

/** A site's first page: what it is doing, what it is being asked to do, and the ways to act on it. */
export default function SiteOverviewScreen({ params }: ScreenProps): ReactNode {
  return (
    <SiteFrame siteId={params.siteId ?? ''} tab="overview">
      <SiteOverview />
    </SiteFrame>
  );
}

function SiteOverview(): ReactNode {
  const { site, trackOperation } = useSite();
  return (
    <div className="site-overview">
      {site.description ? <p className="site-description">{site.description}</p> : null}
      <div className="overview-grid">
        <SiteStatusPanel site={site} />
        <SiteRunControls site={site} onStarted={trackOperation} />
      </div>
      {site.operation ? (
        <OperationProgress operation={site.operation} onStarted={trackOperation} />
      ) : (
        <p className="empty">No operation has run on this site yet.</p>
      )}
      <DeleteSiteZone site={site} />
    </div>
  );
}
