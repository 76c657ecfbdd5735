import { useState } from 'react';
import { Link } from 'react-router';
import { auth } from '../../api';
import { AuthForm, EmailField } from './auth-form';

// Asks for a reset link. The gateway answers the same whether or not the email is known, so the
// page cannot be used to find out who has an account.
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  if (sent) {
    return (
      <AuthForm
        title="Request received"
        submitLabel="Back to log in"
        onSubmit={async () => window.location.assign('/hub/login')}
      >
        <p>
          If <strong>{email}</strong> has an account, a reset link is on its way: by email when this gateway sends
          email, otherwise an admin of the gateway sees your request under Users and can give you the link.
        </p>
      </AuthForm>
    );
  }
  return (
    <AuthForm
      title="Forgot password"
      intro="Enter the email you log in with. We will arrange a link to choose a new password."
      submitLabel="Request a reset link"
      onSubmit={async () => {
        await auth.forgot(email);
        setSent(true);
      }}
      footer={<Link to="/login">Back to log in</Link>}
    >
      <EmailField value={email} onChange={setEmail} />
    </AuthForm>
  );
}
