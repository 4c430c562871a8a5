import type { ReactNode } from 'react';
import type { DatabaseConnectionView } from '../../api/types';
import { CopyButton } from '../../ui/CopyButton';
import { Secret } from '../../ui/Secret';

/** How to connect: every value with its copy button; the password and the URL (which holds it) hidden until asked. */
export function ConnectionDetails({ connection }: { connection: DatabaseConnectionView }): ReactNode {
  const plain: readonly [string, string][] = [
    ['Engine', connection.engine === 'postgresql' ? 'PostgreSQL' : 'MySQL'],
    ['Host', connection.host],
    ['Port', String(connection.port)],
    ['Database', connection.name],
    ['Username', connection.username],
  ];
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Connection details">
        <tbody>
          {plain.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>
                <code className="mono">{value}</code>{' '}
                {label === 'Engine' ? null : <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} />}
              </td>
            </tr>
          ))}
          <tr>
            <th scope="row">Password</th>
            <td>
              <Secret value={connection.password} label="Password" />
            </td>
          </tr>
          <tr>
            <th scope="row">URL</th>
            <td>
              <Secret value={connection.url} label="URL" />
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
