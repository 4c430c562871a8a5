import type { ReactNode } from 'react';
import type { ScreenProps } from '../../app/screen-props';
import { SiteFrame, useSite } from '../site/SiteFrame';
import { FilesWorkspace } from './FilesWorkspace';
import './site-files.css';

/** `/sites/:siteId/files`: the site's folder as a tree, an editor, uploads and downloads. */
export default function SiteFilesScreen({ params }: ScreenProps): ReactNode {
  return (
    <SiteFrame siteId={params.siteId ?? ''} tab="files">
      <SiteFiles />
    </SiteFrame>
  );
}

function SiteFiles(): ReactNode {
  const { site } = useSite();
  // Keyed by site: moving to another site's files starts from a clean tree and editor.
  return <FilesWorkspace key={site.id} siteId={site.id} />;
}
