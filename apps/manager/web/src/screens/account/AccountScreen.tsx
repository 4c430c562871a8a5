import type { ReactNode } from 'react';
import { ApiTokens } from './ApiTokens';
import { ChangePasswordForm } from './ChangePasswordForm';
import { EmailForm } from './EmailForm';
import { ProfileSummary } from './ProfileSummary';
import { SshConnectHelp } from './SshConnectHelp';
import { SshKeys } from './SshKeys';
import './account.css';

/** The signed-in person's own account: who they are, e-mail address, password, API tokens, SSH keys and how to connect. */
export default function AccountScreen(): ReactNode {
  return (
    <section className="account">
      <h1>Account</h1>
      <ProfileSummary />
      <EmailForm />
      <ChangePasswordForm />
      <ApiTokens />
      <SshKeys />
      <SshConnectHelp />
    </section>
  );
}
