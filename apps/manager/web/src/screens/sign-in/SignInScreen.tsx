import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { useAuth } from '../../app/auth';
import { useQuery } from '../../app/router';
import { useApi, useAction } from '../../api/use-api';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

/** Password sign-in, and single sign-on when the manager offers it. */
export function SignInScreen(): ReactNode {
  const { signIn } = useAuth();
  const providers = useApi<{ password: true; oidc: boolean }>('/api/auth/providers');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const signingIn = useAction(signIn);
  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    void signingIn.run(username.trim(), password);
  };
  const retryAfter = signingIn.error?.details.retryAfterSeconds;
  const ssoError = useQuery().get('sso_error');
  return (
    <main id="main" className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} noValidate>
        <h1>Sign in to Dais</h1>
        {ssoError ? (
          <div className="notice notice-error" role="alert">
            {SSO_PROBLEMS[ssoError] ?? SSO_PROBLEMS.SSO_FAILED}
          </div>
        ) : null}
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          autoFocus
          required
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          error={signingIn.error?.issueFor('username')}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={signingIn.error?.issueFor('password')}
        />
        <ErrorNotice error={signingIn.error} fields={['username', 'password']}>
          {typeof retryAfter === 'number' ? <div>Try again in {retryAfter} seconds.</div> : null}
        </ErrorNotice>
        <Button type="submit" variant="primary" busy={signingIn.busy} disabled={!username || !password}>
          Sign in
        </Button>
        {providers.data?.oidc ? (
          <a className="button button-secondary sso-button" href="/api/auth/oidc/login">
            Sign in with single sign-on
          </a>
        ) : null}
      </form>
    </main>
  );
}

/** What a failed single sign-on (the manager sends the browser back with `?sso_error=CODE`) means to a person. */
const SSO_PROBLEMS: Readonly<Record<string, string>> = {
  SSO_FAILED: 'Single sign-on did not complete (it was cancelled, expired or could not be checked). Please try again.',
  SSO_STATE_INVALID: 'That sign-in link was already used or has expired. Please start again.',
  SSO_PROVIDER_UNAVAILABLE: 'The single sign-on provider did not answer. Try again in a moment, or sign in with your password.',
  SSO_NOT_CONFIGURED: 'Single sign-on is not set up on this installation. Sign in with your password.',
  FORBIDDEN: 'Your account may not sign in (it may be disabled). Ask an administrator.',
};
