import type { ReactNode } from 'react';
import type { ScreenProps } from '../../app/screen-props';
import { Link } from '../../app/router';
import { SiteFrame, useSite } from '../site/SiteFrame';
import { SiteLogs } from './SiteLogs';
import './site-logs.css';

/** A dynamic site's output, live. Static sites run no program, so they have none. */
export default function SiteLogsScreen({ params }: ScreenProps): ReactNode {
  return (
    <SiteFrame siteId={params.siteId ?? ''} tab="logs">
      <SiteLogsFromFrame />
    </SiteFrame>
  );
}

function SiteLogsFromFrame(): ReactNode {
  const { site } = useSite();
  if (site.type !== 'dynamic') {
    return (
      <p className="notice notice-info">
        {site.name} is a static site: it runs no program, so it has no logs. Its files are served as they are;{' '}
        <Link to={`/sites/${site.id}/files`}>see its files</Link>.
      </p>
    );
  }
  return <SiteLogs site={site} />;
}
