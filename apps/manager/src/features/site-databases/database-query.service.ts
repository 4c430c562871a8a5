import { Injectable } from '@nestjs/common';
import {
  DaisError,
  isDaisError,
  SQL_CONSOLE_MAX_ROWS,
  SQL_CONSOLE_TIMEOUT_MS,
  type SqlQueryRequest,
  type SqlQueryResult,
} from '@dais/shared';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { OrchestratorClient } from '../../infrastructure/peers/peer-clients';
import { SecretBox } from '../../infrastructure/secrets/secret-box';
import { changeableSite } from '../sites/site-access';
import { consoleConnectionOf } from './console-connection';
import { SiteRepository } from '../sites/site.repository';

/** How much of a statement the audit log keeps. */
const AUDITED_STATEMENT_CHARS = 200;

/**
 * The SQL console: one statement on a site's database, run by the orchestrator as the site's own
 * user with a time and row limit. Members and admins only; every statement is audited (its start,
 * never its results).
 */
@Injectable()
export class DatabaseQueryService {
  constructor(
    private readonly sites: SiteRepository,
    private readonly orchestrator: OrchestratorClient,
    private readonly audit: AuditService,
    private readonly secrets: SecretBox,
  ) {}

  async run(user: AuthenticatedUser, siteId: number, request: SqlQueryRequest): Promise<SqlQueryResult> {
    const site = await changeableSite(this.sites, user, siteId);
    const connection = consoleConnectionOf(site, this.secrets);
    if (!connection)
      throw new DaisError('DATABASE_NOT_FOUND', `Site ${siteId} has no database; create one with POST /api/sites/${siteId}/database.`);
    const audited = { statement: request.sql.slice(0, AUDITED_STATEMENT_CHARS), engine: connection.engine };
    try {
      const result = await this.orchestrator.queryDatabase({
        siteId,
        connection,
        sql: request.sql,
        timeoutMs: SQL_CONSOLE_TIMEOUT_MS,
        maxRows: SQL_CONSOLE_MAX_ROWS,
      });
      await this.audit.record({
        actor: user,
        action: 'database.query',
        site,
        details: { ...audited, outcome: 'ok', command: result.command, rowCount: result.rowCount },
      });
      return result;
    } catch (error) {
      const outcome = isDaisError(error) ? error.code : 'INTERNAL';
      await this.audit.record({ actor: user, action: 'database.query', site, details: { ...audited, outcome } });
      throw error;
    }
  }
}
