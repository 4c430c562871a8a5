import type { ReactNode } from 'react';
import { useApi } from '../../api/use-api';
import type { DatabaseHostView } from '../../api/types';
import { ResourceStatus } from '../../ui/ResourceStatus';
import { RegisterDatabaseHostForm } from './RegisterDatabaseHostForm';

/** The database servers sites get their databases on (admin passwords are never shown back). */
export function AdminDatabaseHosts(): ReactNode {
  const hosts = useApi<{ hosts: DatabaseHostView[] }>('/api/database-hosts');
  const list = hosts.data?.hosts ?? [];
  return (
    <div>
      <ResourceStatus
        resource={hosts}
        what="the database hosts"
        isEmpty={list.length === 0}
        empty="No database host is registered: sites cannot get databases yet."
      />
      {list.length > 0 ? (
        <div className="table-wrap">
          <table className="table" aria-label="Database hosts">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Engine</th>
                <th scope="col">Admin connection</th>
                <th scope="col">Sites connect to</th>
              </tr>
            </thead>
            <tbody>
              {list.map((host) => (
                <tr key={host.id}>
                  <td>{host.name}</td>
                  <td>{host.engine === 'mysql' ? 'MySQL / MariaDB' : 'PostgreSQL'}</td>
                  <td>
                    <code>
                      {host.adminUser}@{host.adminHost}:{host.adminPort}
                    </code>
                  </td>
                  <td>
                    <code>
                      {host.siteHost}:{host.sitePort}
                    </code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <RegisterDatabaseHostForm onRegistered={(host) => hosts.set((current) => ({ hosts: [...(current?.hosts ?? []), host] }))} />
    </div>
  );
}
