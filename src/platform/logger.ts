import pino from 'pino';

export type Logger = pino.Logger;

// Secrets never reach the log: these paths are censored wherever they appear.
const REDACT = [
  'accessToken',
  'access_token',
  'token',
  'accessKey',
  'authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.accessToken',
  '*.access_token',
  '*.accessKey',
  // People and API accounts (control plane).
  'password',
  '*.password',
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  'csrfToken',
  '*.csrfToken',
  'req.headers["x-csrf-token"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'capig' } }, destination);
}
