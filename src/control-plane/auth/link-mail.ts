import type { LinkKind } from '../../database/repos/auth-links-repo.js';
import type { Mailer } from '../../platform/mailer.js';

// The emails that carry invitation and password-reset links (when SMTP is configured).

export async function mailLink(
  mailer: Mailer,
  kind: LinkKind,
  to: string,
  link: string,
  accountName: string | null,
): Promise<boolean> {
  if (!mailer.enabled) return false;
  const where = accountName
    ? `the account "${accountName}" on the Conversions API Gateway`
    : 'the Conversions API Gateway';
  const mail =
    kind === 'invitation'
      ? {
          to,
          subject: 'Your invitation to the Conversions API Gateway',
          text: `You were invited to ${where}.\n\nOpen this link to create your password (it works once, for 24 hours):\n${link}\n\nIf you did not expect this email, ignore it.`,
        }
      : {
          to,
          subject: 'Choose a new password for the Conversions API Gateway',
          text: `Someone asked for a new password for ${to} on the Conversions API Gateway.\n\nOpen this link to choose one (it works once, for 24 hours):\n${link}\n\nIf it was not you, ignore this email: your password stays as it is.`,
        };
  return (await mailer.send(mail)).ok;
}
