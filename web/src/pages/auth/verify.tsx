import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { auth } from '../../api';
import { useSessionState } from '../../session';
import { AuthForm, checkPasswords, EmailField, NewPasswordFields } from './auth-form';

// Where invitation (et=inv) and password-reset (et=reset) links land; /auth/verify/ redirects here.
export function VerifyPage() {
  const [params] = useSearchParams();
  const { session, refresh } = useSessionState();
  const navigate = useNavigate();
  const token = params.get('token') ?? '';
  const isReset = params.get('et') === 'reset';
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState(false);

  if (session) {
    return (
      <AuthForm
        title="You are signed in"
        submitLabel="Log out and continue"
        onSubmit={async () => {
          await auth.logout();
          await refresh();
        }}
      >
        <p className="muted">
          This link is for setting a password. You are signed in as <strong>{session.user.email}</strong>; log out first
          to use it.
        </p>
      </AuthForm>
    );
  }
  if (!token) {
    return (
      <AuthForm title="This link is incomplete" submitLabel="Go to log in" onSubmit={async () => navigate('/login')}>
        <p className="muted">
          The link has no token. Open the full link you were given, or ask an admin for a new one.
        </p>
      </AuthForm>
    );
  }
  if (done) {
    return (
      <AuthForm title="Password saved" submitLabel="Log in" onSubmit={async () => navigate('/login')}>
        <p>Your new password is set. Log in with it.</p>
      </AuthForm>
    );
  }
  return (
    <AuthForm
      title={isReset ? 'Choose a new password' : 'Create your account'}
      intro={isReset ? undefined : 'You were invited to the Conversions API Gateway. Choose a password to finish.'}
      submitLabel={isReset ? 'Save the new password' : 'Create account'}
      onSubmit={async () => {
        checkPasswords(password, repeat);
        if (isReset) {
          const result = await auth.reset(token, password);
          if (!result.signedIn) return setDone(true);
          await refresh();
          navigate('/', { replace: true });
        } else {
          await auth.signup(token, email, password);
          await refresh();
          navigate('/', { replace: true });
        }
      }}
    >
      {isReset ? null : <EmailField value={email} onChange={setEmail} hint="The email the invitation was sent to." />}
      <NewPasswordFields password={password} repeat={repeat} onPassword={setPassword} onRepeat={setRepeat} />
    </AuthForm>
  );
}
