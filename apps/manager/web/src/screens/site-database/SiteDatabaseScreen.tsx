import { useEffect, useRef, type ReactNode } from 'react';
import type { ScreenProps } from '../../app/screen-props';
import { useApi } from '../../api/use-api';
import type { DatabaseConnectionView, OperationView } from '../../api/types';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Loading } from '../../ui/Spinner';
import { SiteFrame, useSite } from '../site/SiteFrame';
import { OperationNotice } from '../../operations/OperationNotice';
import { isUnderWay } from '../../operations/operation-labels';
import { ConnectionDetails } from './ConnectionDetails';
import { CreateDatabaseForm } from './CreateDatabaseForm';
import { DatabaseActions } from './DatabaseActions';
import { SqlConsole } from './SqlConsole';
import './site-database.css';

const DATABASE_OPERATIONS = ['create_database', 'rotate_database_password', 'delete_database'] as const;

/** `/sites/:siteId/database`: create the site's database, see how to connect, rotate, delete, and query it. */
export default function SiteDatabaseScreen({ params }: ScreenProps): ReactNode {
  return (
    <SiteFrame siteId={params.siteId ?? ''} tab="database">
      <DatabasePage />
    </SiteFrame>
  );
}

function DatabasePage(): ReactNode {
  const { site, trackOperation } = useSite();
  const operation = site.operation;
  const working = isUnderWay(operation);
  const creating = working && operation?.kind === 'create_database';
  const hasDatabase = site.database !== null && !creating;
  const started = (started: OperationView): void => trackOperation(started);

  return (
    <section className="database-page" aria-labelledby="database-title">
      <h2 id="database-title">Database</h2>
      <OperationNotice operation={operation} kinds={DATABASE_OPERATIONS} />
      {hasDatabase ? (
        <>
          <Connection siteId={site.id} operation={operation} />
          <DatabaseActions siteId={site.id} databaseName={site.database?.name ?? ''} busy={working} onStarted={started} />
          <SqlConsole siteId={site.id} />
        </>
      ) : creating ? null : (
        <CreateDatabaseForm siteId={site.id} onStarted={started} />
      )}
    </section>
  );
}

/** The connection, read again when a database operation ends (a rotated password). */
function Connection({ siteId, operation }: { siteId: number; operation: OperationView | null }): ReactNode {
  const connection = useApi<DatabaseConnectionView>(`/api/sites/${siteId}/database`);
  const { reload } = connection;
  const finishedKey = operation && !isUnderWay(operation) ? `${operation.id}:${operation.state}` : '';
  const firstKey = useRef(finishedKey);
  useEffect(() => {
    if (finishedKey !== firstKey.current) void reload();
  }, [finishedKey, reload]);

  if (!connection.data) return connection.error ? <ErrorNotice error={connection.error} /> : <Loading what="the connection details" />;
  return (
    <div className="card">
      <h3>Connection</h3>
      <ConnectionDetails connection={connection.data} />
      <ErrorNotice error={connection.error} />
    </div>
  );
}
