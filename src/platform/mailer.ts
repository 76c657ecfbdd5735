import type { Logger } from './logger.js';

// The port to email: invitation and password-reset links when SMTP is configured. Sending never
// throws: a failure is logged (without the message, which holds a one-time link) and answered as
// data, because the link is also shown to whoever created it.

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  readonly enabled: boolean;
  send(mail: Mail): Promise<{ ok: true } | { ok: false; error: string }>;
}

export const noMailer: Mailer = {
  enabled: false,
  send: async () => ({ ok: false, error: 'email is not configured (CAPIG_SMTP_URL)' }),
};

/** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465. */
export function createSmtpMailer(opts: { url: string; from: string; log: Logger; timeoutMs?: number }): Mailer {
  const timeout = opts.timeoutMs ?? 10_000;
  const url = new URL(opts.url);
  const secure = url.protocol === 'smtps:';
  // Loaded only when email is configured: nodemailer is a fifth of the gateway's module memory.
  const transport = import('nodemailer').then(({ default: nodemailer }) =>
    nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      logger: false,
    }),
  );
  return {
    enabled: true,
    async send(mail) {
      try {
        await (await transport).sendMail({ from: opts.from, to: mail.to, subject: mail.subject, text: mail.text });
        return { ok: true };
      } catch (err) {
        const error = (err as Error).message;
        opts.log.warn({ err: { message: error }, subject: mail.subject }, 'email could not be sent');
        return { ok: false, error };
      }
    },
  };
}

/**
 * The gateway's mailer. Every email carries a link, and a link must never be built from a
 * request's Host: without a configured public URL nothing is emailed (admins still see and hand
 * out the links).
 */
export function configuredMailer(
  email: { smtpUrl: string | null; from: string },
  publicUrl: string | null,
  log: Logger,
): Mailer {
  return email.smtpUrl && publicUrl ? createSmtpMailer({ url: email.smtpUrl, from: email.from, log }) : noMailer;
}
