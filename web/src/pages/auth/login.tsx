import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { auth } from '../../api';
import { useSessionState } from '../../session';
import { AuthForm, EmailField } from './auth-form';

export function LoginPage() {
  const { refresh } = useSessionState();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // A fresh install has no one to log in: send the visitor to create the first admin.
  useEffect(() => {
    auth.setupNeeded().then(
      (needed) => needed && navigate('/setup', { replace: true }),
      () => undefined,
    );
  }, [navigate]);
  const from = (location.state as { from?: string } | null)?.from;
  return (
    <AuthForm
      title="Log in"
      submitLabel="Log in"
      onSubmit={async () => {
        await auth.login(email, password);
        await refresh();
        navigate(from && from !== '/login' ? from : '/', { replace: true });
      }}
      footer={<Link to="/forgot">Forgot password?</Link>}
    >
      <EmailField value={email} onChange={setEmail} />
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
    </AuthForm>
  );
}
