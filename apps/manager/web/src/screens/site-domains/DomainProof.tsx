import type { ReactNode } from 'react';
import { manager } from '../../api/client';
import type { DomainView, OperationView } from '../../api/types';
import { useAction } from '../../api/use-api';
import { Button } from '../../ui/Button';
import { CopyButton } from '../../ui/CopyButton';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { proofTimes } from './domain-status';

/** What checking or verifying a domain answers. */
export interface DomainChange {
  domain: DomainView;
  operation: OperationView | null;
}

/**
 * How to prove control of a domain: the exact TXT record with copy buttons, what the last check
 * found (in words: NXDOMAIN, wrong value, timeout…), when the platform looks again and when the
 * claim is released; "Check now" for members, "Mark verified" for admins.
 */
export function DomainProof({
  domain,
  siteId,
  isAdmin,
  onChanged,
}: {
  domain: DomainView;
  siteId: number;
  isAdmin: boolean;
  onChanged: (change: DomainChange) => void;
}): ReactNode {
  const { record, message } = domain.verification;
  const base = `/api/sites/${siteId}/domains/${domain.id}`;
  const checking = useAction(async () => onChanged(await manager.post<DomainChange>(`${base}/check`)));
  const verifying = useAction(async () => onChanged(await manager.post<DomainChange>(`${base}/verify`)));
  const unverified = domain.status === 'unverified';

  return (
    <div className="domain-proof" role="group" aria-label={`Proof of control of ${domain.hostname}`}>
      {unverified ? (
        <p>
          <strong>{domain.hostname}</strong> is not served until you prove you control it: publish this DNS record where the domain&apos;s
          DNS is managed, then check. Keep the record afterwards: it is checked again from time to time.
        </p>
      ) : null}
      {record ? (
        <table className="proof-record" aria-label={`DNS record to publish for ${domain.hostname}`}>
          <tbody>
            <tr>
              <th scope="row">Type</th>
              <td className="mono">{record.type}</td>
              <td />
            </tr>
            <tr>
              <th scope="row">Name</th>
              <td className="mono">{record.name}</td>
              <td>
                <CopyButton value={record.name} label="Copy name" />
              </td>
            </tr>
            <tr>
              <th scope="row">Value</th>
              <td className="mono">{record.value}</td>
              <td>
                <CopyButton value={record.value} label="Copy value" />
              </td>
            </tr>
          </tbody>
        </table>
      ) : (
        <p>This name is too long for a DNS record under it: an admin verifies it by hand.</p>
      )}
      {message ? (
        <div className={`notice ${unverified ? 'notice-info' : 'notice-error'} proof-message`} role="status">
          {message}
        </div>
      ) : null}
      <p className="field-hint">{proofTimes(domain)}</p>
      <div className="form-actions actions">
        <Button busy={checking.busy} onClick={() => void checking.run()} aria-label={`Check ${domain.hostname} now`}>
          Check now
        </Button>
        {isAdmin && unverified ? (
          <Button
            variant="ghost"
            busy={verifying.busy}
            onClick={() => void verifying.run()}
            aria-label={`Mark ${domain.hostname} verified`}
          >
            Mark verified
          </Button>
        ) : null}
      </div>
      <ErrorNotice error={checking.error ?? verifying.error} />
    </div>
  );
}
