import type { ReactNode } from 'react';
import { ApiTokens } from './ApiTokens';
import { ChangePasswordForm } from './ChangePasswordForm';
import { ProfileSummary } from './ProfileSummary';
import { SshConnectHelp } from './SshConnectHelp';
import { SshKeys } from './SshKeys';
import './account.css';

/** The signed-in person's own account: who they are, password, API tokens, SSH keys and how to connect. */
export default function AccountScreen(): ReactNode {
  return (
    <section className="account">
      <h1>Account</h1>
      <ProfileSummary />
      <ChangePasswordForm />
      <ApiTokens />
      <SshKeys />
      <SshConnectHelp />
    </section>
  );
}
