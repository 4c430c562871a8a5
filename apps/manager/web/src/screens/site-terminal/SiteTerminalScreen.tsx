import type { ReactNode } from 'react';
import type { ScreenProps } from '../../app/screen-props';
import { SiteFrame, useSite } from '../site/SiteFrame';
import { SiteTerminal } from './SiteTerminal';
import './site-terminal.css';

/** A shell in the site, in the browser (loaded lazily: xterm.js is only fetched here). */
export default function SiteTerminalScreen({ params }: ScreenProps): ReactNode {
  return (
    <SiteFrame siteId={params.siteId ?? ''} tab="terminal">
      <SiteTerminalFromFrame />
    </SiteFrame>
  );
}

function SiteTerminalFromFrame(): ReactNode {
  const { site } = useSite();
  return <SiteTerminal site={site} />;
}
