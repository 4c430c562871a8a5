import { describe, expect, it, vi } from 'vitest';
import { bodyTable, expectPathIdChecked } from '../../testing/http/input-tables';
import { strictFake } from '../../testing/http/strict-fake';
import { MEMBER } from '../../testing/http/users';
import { DatabaseQueryController } from './database-query.controller';
import type { DatabaseQueryService } from './database-query.service';

describe('DatabaseQueryController', () => {
  it('runs a checked query on the site’s database, answering its result', async () => {
    const result = { columns: ['one'], rows: [[1]] };
    const run = vi.fn().mockResolvedValue(result);
    const controller = new DatabaseQueryController(strictFake<DatabaseQueryService>('DatabaseQueryService', { run }));
    expect(await controller.run(MEMBER, { id: '7' }, { sql: 'select 1 as one' })).toBe(result);
    expect(run).toHaveBeenCalledWith(MEMBER, 7, expect.objectContaining({ sql: 'select 1 as one' }));
    expect(await bodyTable({ sql: 'select 1 as one' }, (body) => controller.run(MEMBER, { id: '7' }, body), run)).toMatchSnapshot();
    await expectPathIdChecked((id) => controller.run(MEMBER, { id }, { sql: 'select 1' }), run);
  });
});
