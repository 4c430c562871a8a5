import type { ReactNode } from 'react';
import type { DomainView } from '../../api/types';
import { Button } from '../../ui/Button';
import { StatusDot } from '../../ui/StatusDot';
import { timeAgo } from '../../ui/format';
import { DomainProof, type DomainChange } from './DomainProof';
import { certificateSummary, needsProof, routingStatus, verificationSummary } from './domain-status';

/** How many columns the domains table has (the proof spans them all). */
const COLUMNS = 5;

/**
 * One custom domain: where its routing and its certificate stand, and its remove button; under
 * it, while control is not proven (or its record has gone), the record to publish and the checks.
 */
export function DomainRow({
  domain,
  siteId,
  isAdmin,
  removing,
  onRemove,
  onChanged,
}: {
  domain: DomainView;
  siteId: number;
  isAdmin: boolean;
  removing: boolean;
  onRemove: (domain: DomainView) => void;
  onChanged: (change: DomainChange) => void;
}): ReactNode {
  const routing = routingStatus(domain);
  const certificate = certificateSummary(domain);
  const verified = verificationSummary(domain);
  return (
    <>
      <tr data-hostname={domain.hostname}>
        <th scope="row" className="mono">
          {domain.hostname}
        </th>
        <td>
          {removing ? <StatusDot tone="busy" label="Removing" /> : <StatusDot tone={routing.tone} label={routing.label} />}
          {domain.status === 'error' && domain.statusMessage ? <div className="field-error">{domain.statusMessage}</div> : null}
          {verified ? <div className="field-hint">{verified}</div> : null}
        </td>
        <td>
          <StatusDot tone={certificate.tone} label={certificate.label} />
          {certificate.detail ? <div className="field-hint">{certificate.detail}</div> : null}
        </td>
        <td title={new Date(domain.createdAt).toLocaleString()}>{timeAgo(domain.createdAt)}</td>
        <td>
          <Button
            variant="ghost"
            className="button-small"
            busy={removing}
            onClick={() => onRemove(domain)}
            aria-label={`Remove ${domain.hostname}`}
          >
            Remove
          </Button>
        </td>
      </tr>
      {needsProof(domain) && !removing ? (
        <tr className="domain-proof-row" data-proof-for={domain.hostname}>
          <td colSpan={COLUMNS}>
            <DomainProof domain={domain} siteId={siteId} isAdmin={isAdmin} onChanged={onChanged} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
