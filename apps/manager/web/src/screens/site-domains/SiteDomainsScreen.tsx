import { useState, type ReactNode } from 'react';
import { useAccount } from '../../app/auth';
import type { ScreenProps } from '../../app/screen-props';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { DomainView, OperationView } from '../../api/types';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { SiteFrame, useSite } from '../site/SiteFrame';
import { OperationNotice } from '../../operations/OperationNotice';
import { isUnderWay } from '../../operations/operation-labels';
import { AddDomainForm } from './AddDomainForm';
import { DnsHint } from './DnsHint';
import type { DomainChange } from './DomainProof';
import { DomainRow } from './DomainRow';
import { useSiteDomains } from './use-site-domains';
import './site-domains.css';

/** `/sites/:siteId/domains`: the site's custom domains, their proofs of control, routing and certificates. */
export default function SiteDomainsScreen({ params }: ScreenProps): ReactNode {
  return (
    <SiteFrame siteId={params.siteId ?? ''} tab="domains">
      <DomainsPage />
    </SiteFrame>
  );
}

function DomainsPage(): ReactNode {
  const { site, setSite, trackOperation } = useSite();
  const isAdmin = useAccount().role === 'admin';
  const { domains, error, adopt } = useSiteDomains(site);
  const [confirming, setConfirming] = useState<DomainView | null>(null);
  const [removingIds, setRemovingIds] = useState<ReadonlySet<number>>(new Set());
  const removing = useAction(async (domain: DomainView) => {
    const operation = await manager.delete<OperationView>(`/api/sites/${site.id}/domains/${domain.id}`);
    setRemovingIds((current) => new Set(current).add(domain.id));
    trackOperation(operation);
    setConfirming(null);
  });

  // A domain added, checked or verified: shown at once; the operation routing it (once verified) is followed live.
  const onChanged = ({ domain, operation }: DomainChange): void => {
    adopt(domain);
    setSite({ ...site, domains: [...site.domains.filter((d) => d.id !== domain.id), domain].sort((a, b) => a.id - b.id) });
    if (operation) trackOperation(operation);
  };
  // A removal shows as "Removing" until the site's operation ends and the domain is gone.
  const stillRemoving = (domain: DomainView): boolean => removingIds.has(domain.id) && isUnderWay(site.operation);

  return (
    <section className="domains-page" aria-labelledby="domains-title">
      <h2 id="domains-title">Custom domains</h2>
      <DnsHint site={site} />
      <OperationNotice operation={site.operation} kinds={['update_site']} />
      <ErrorNotice error={error} />
      {domains.length === 0 ? (
        <p className="empty">No custom domains yet. The site answers on its own address only.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col">Routing</th>
                <th scope="col">Certificate (HTTPS)</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {domains.map((domain) => (
                <DomainRow
                  key={domain.id}
                  domain={domain}
                  siteId={site.id}
                  isAdmin={isAdmin}
                  removing={stillRemoving(domain)}
                  onRemove={setConfirming}
                  onChanged={onChanged}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddDomainForm siteId={site.id} onAdded={onChanged} />
      <ConfirmDialog
        open={confirming !== null}
        title={`Remove ${confirming?.hostname ?? 'this domain'}?`}
        confirmLabel="Remove domain"
        danger
        busy={removing.busy}
        onConfirm={() => confirming && void removing.run(confirming)}
        onCancel={() => {
          setConfirming(null);
          removing.clearError();
        }}
      >
        <p>The site stops answering on this name, and its certificate no longer covers it.</p>
        <ErrorNotice error={removing.error} />
      </ConfirmDialog>
    </section>
  );
}
