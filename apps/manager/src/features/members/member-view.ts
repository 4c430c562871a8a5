import type { SiteMemberView } from '@dais/shared';
import type { MemberRecord } from './member.repository';

/** The API's view of a site member. */
export function toMemberView(member: MemberRecord): SiteMemberView {
  return {
    userId: member.userId,
    username: member.user.username,
    displayName: member.user.displayName,
    addedAt: member.addedAt.toISOString(),
  };
}
