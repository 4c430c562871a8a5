import type { ReactNode } from 'react';
import type { DomainView } from '../../api/types';
import { Button } from '../../ui/Button';
import { StatusDot } from '../../ui/StatusDot';
import { timeAgo } from '../../ui/format';
import { certificateSummary, routingStatus } from './domain-status';

/** One custom domain: where its routing and its certificate stand, and its remove button. */
export function DomainRow({
  domain,
  removing,
  onRemove,
}: {
  domain: DomainView;
  removing: boolean;
  onRemove: (domain: DomainView) => void;
}): ReactNode {
  const routing = routingStatus(domain);
  const certificate = certificateSummary(domain);
  return (
    <tr data-hostname={domain.hostname}>
      <th scope="row" className="mono">
        {domain.hostname}
      </th>
      <td>
        {removing ? <StatusDot tone="busy" label="Removing" /> : <StatusDot tone={routing.tone} label={routing.label} />}
        {domain.status === 'error' && domain.statusMessage ? <div className="field-error">{domain.statusMessage}</div> : null}
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
  );
}
