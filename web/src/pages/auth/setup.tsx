import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { auth } from '../../api';
import { useSessionState } from '../../session';
import { AuthForm, checkPasswords, EmailField, NewPasswordFields } from './auth-form';

// First run: the first host admin of a fresh install.
export function SetupPage() {
  const { refresh } = useSessionState();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [needed, setNeeded] = useState<boolean | null>(null);
  useEffect(() => {
    auth.setupNeeded().then(setNeeded, () => setNeeded(true));
  }, []);
  if (needed === false) {
    return (
      <AuthForm title="This gateway is set up" submitLabel="Go to log in" onSubmit={async () => navigate('/login')}>
        <p className="muted">An admin account exists already. Log in, or ask an admin for an invitation.</p>
      </AuthForm>
    );
  }
  return (
    <AuthForm
      title="Create admin account"
      intro="You are the first person here: this account will administer the gateway."
      submitLabel="Create admin account"
      onSubmit={async () => {
        checkPasswords(password, repeat);
        await auth.setup(email, password);
        await refresh();
        navigate('/accounts');
      }}
      footer={<Link to="/login">Log in instead</Link>}
    >
      <EmailField value={email} onChange={setEmail} />
      <NewPasswordFields password={password} repeat={repeat} onPassword={setPassword} onRepeat={setRepeat} />
    </AuthForm>
  );
}
