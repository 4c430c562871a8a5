import type { ReactNode } from 'react';
import { navigate, useQuery } from '../../app/router';
import { useApi } from '../../api/use-api';
import type { UserView } from '../../api/types';
import { Pager } from '../../ui/Pager';
import { ResourceStatus } from '../../ui/ResourceStatus';
import { apiPath, cursorsFrom, sectionUrl } from './admin-list-url';
import { CreateUserForm } from './CreateUserForm';
import { UserRow } from './UserRow';

const PAGE_SIZE = 50;

/** Every account: create one, change its role, disable or enable it, reset its password. */
export function AdminUsers(): ReactNode {
  const cursors = cursorsFrom(useQuery());
  const users = useApi<{ users: UserView[]; nextCursor: number | null }>(
    apiPath('/api/users', { limit: PAGE_SIZE, cursor: cursors.at(-1) }),
  );
  const replaceUser = (user: UserView): void =>
    users.set((current) => ({
      nextCursor: current?.nextCursor ?? null,
      users: (current?.users ?? []).some((row) => row.id === user.id)
        ? (current?.users ?? []).map((row) => (row.id === user.id ? user : row))
        : [...(current?.users ?? []), user],
    }));
  const list = users.data?.users ?? [];
  return (
    <div>
      <CreateUserForm onCreated={replaceUser} />
      <ResourceStatus resource={users} what="the users" />
      {list.length > 0 ? (
        <ul className="admin-list" aria-label="Users" aria-busy={users.loading || undefined}>
          {list.map((user) => (
            <UserRow key={user.id} user={user} onChanged={replaceUser} />
          ))}
        </ul>
      ) : null}
      <Pager cursors={cursors} nextCursor={users.data?.nextCursor ?? null} onPage={(next) => navigate(sectionUrl('users', {}, next))} />
    </div>
  );
}
