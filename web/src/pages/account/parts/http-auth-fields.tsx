import { Field } from '../../../ui/controls';

// The custom HTTP editor's form and its authentication fields. Secrets are write-only: the gateway
// only says whether some are stored, so a blank secret field keeps the stored one.

export interface HttpForm {
  endpoint: string;
  httpMethod: string;
  authType: string;
  payloadSchema: string;
  timeoutMs: string;
  apiKeyName: string;
  apiKeyAddTo: string;
  apiKeyValue: string;
  basicUser: string;
  basicPassword: string;
  clientId: string;
  clientSecret: string;
  authEndpoint: string;
  authHttpMethod: string;
  serviceUserAccount: string;
  privateKey: string;
}

export interface HttpConfigView {
  endpoint: string | null;
  httpMethod: string | null;
  authType: string | null;
  payloadSchema: string | null;
  apiKeyName: string | null;
  apiKeyAddTo: string | null;
  clientId: string | null;
  authEndpoint: string | null;
  authHttpMethod: string | null;
  serviceUserAccount: string | null;
  timeoutMs: number | null;
  hasSecrets: boolean;
}
export const HTTP_CONFIG_FIELDS =
  'endpoint httpMethod authType payloadSchema apiKeyName apiKeyAddTo clientId authEndpoint authHttpMethod serviceUserAccount timeoutMs hasSecrets';

export function formOf(c: HttpConfigView | null, firstTemplate: string): HttpForm {
  return {
    endpoint: c?.endpoint ?? '',
    httpMethod: c?.httpMethod && c.httpMethod !== 'UNKNOWN' ? c.httpMethod : 'POST',
    authType: c?.authType && c.authType !== 'UNKNOWN' ? c.authType : 'NONE',
    payloadSchema: c?.payloadSchema ?? firstTemplate,
    timeoutMs: String(c?.timeoutMs ?? 5000),
    apiKeyName: c?.apiKeyName ?? '',
    apiKeyAddTo: c?.apiKeyAddTo && c.apiKeyAddTo !== 'UNKNOWN' ? c.apiKeyAddTo : 'HEADER',
    apiKeyValue: '',
    basicUser: '',
    basicPassword: '',
    clientId: c?.clientId ?? '',
    clientSecret: '',
    authEndpoint: c?.authEndpoint ?? '',
    authHttpMethod: c?.authHttpMethod && c.authHttpMethod !== 'UNKNOWN' ? c.authHttpMethod : 'POST',
    serviceUserAccount: c?.serviceUserAccount ?? '',
    privateKey: '',
  };
}

const orNull = (s: string) => (s.trim() === '' ? null : s);

/** UpdateDataDestinationHttpConfigInput: secrets left blank are left out, so the stored ones stay. */
export function inputOf(id: string, f: HttpForm): Record<string, unknown> {
  const timeout = f.timeoutMs.trim() === '' ? null : Number(f.timeoutMs);
  const basic = f.basicUser !== '' || f.basicPassword !== '' ? `${f.basicUser}:${f.basicPassword}` : null;
  return {
    id,
    endpoint: f.endpoint.trim(),
    httpMethod: f.httpMethod,
    authType: f.authType,
    payloadSchema: f.payloadSchema,
    timeoutMs: timeout,
    ...(f.authType === 'API_KEY'
      ? { apiKeyAuth: { name: f.apiKeyName.trim(), addTo: f.apiKeyAddTo, value: orNull(f.apiKeyValue) ?? undefined } }
      : {}),
    ...(f.authType === 'BASIC' ? { basicAuth: basic === null ? {} : { credentials: basic } } : {}),
    ...(f.authType === 'CLIENT_CREDENTIALS'
      ? {
          clientCredentialsAuth: {
            clientId: f.clientId.trim(),
            authEndpoint: f.authEndpoint.trim(),
            httpMethod: f.authHttpMethod,
            clientSecret: orNull(f.clientSecret) ?? undefined,
          },
        }
      : {}),
    ...(f.authType === 'JSON_WEB_TOKEN'
      ? {
          jsonWebTokenAuth: {
            serviceUserAccount: f.serviceUserAccount.trim(),
            privateKey: orNull(f.privateKey) ?? undefined,
          },
        }
      : {}),
  };
}

export function AuthFields({
  form,
  set,
  hasSecrets,
}: {
  form: HttpForm;
  set(key: keyof HttpForm, value: string): void;
  /** Secrets are stored: a blank secret field keeps them. */
  hasSecrets: boolean;
}) {
  const secretHint = hasSecrets ? 'Saved. Leave blank to keep the saved value.' : undefined;
  const secretPlaceholder = hasSecrets ? 'saved' : '';
  const text =
    (key: keyof HttpForm, props: React.InputHTMLAttributes<HTMLInputElement> = {}) =>
    (id: string) => (
      <input id={id} autoComplete="off" value={form[key]} onChange={(e) => set(key, e.target.value)} {...props} />
    );
  const secret = (key: keyof HttpForm) =>
    text(key, { type: 'password', placeholder: secretPlaceholder, autoComplete: 'new-password' });
  switch (form.authType) {
    case 'API_KEY':
      return (
        <>
          <Field label="API key name" hint="The header or query parameter name, e.g. X-Api-Key.">
            {text('apiKeyName', { required: true, maxLength: 256 })}
          </Field>
          <Field label="API key value" hint={secretHint}>
            {secret('apiKeyValue')}
          </Field>
          <Field label="Send the key in">
            {(id) => (
              <select id={id} value={form.apiKeyAddTo} onChange={(e) => set('apiKeyAddTo', e.target.value)}>
                <option value="HEADER">A header</option>
                <option value="QUERY_PARAM">A query parameter</option>
              </select>
            )}
          </Field>
        </>
      );
    case 'BASIC':
      return (
        <>
          <Field label="User" hint={hasSecrets ? 'Saved. Leave user and password blank to keep them.' : undefined}>
            {text('basicUser', { placeholder: secretPlaceholder, autoComplete: 'off' })}
          </Field>
          <Field label="Password">{secret('basicPassword')}</Field>
        </>
      );
    case 'CLIENT_CREDENTIALS':
      return (
        <>
          <Field label="Client ID">{text('clientId', { required: true, maxLength: 256 })}</Field>
          <Field label="Client secret" hint={secretHint}>
            {secret('clientSecret')}
          </Field>
          <Field label="Token endpoint" hint="The OAuth token URL; the token is cached until it expires.">
            {text('authEndpoint', { required: true, type: 'url', placeholder: 'https://auth.example.com/token' })}
          </Field>
          <Field label="Token request method">
            {(id) => (
              <select id={id} value={form.authHttpMethod} onChange={(e) => set('authHttpMethod', e.target.value)}>
                <option value="POST">POST</option>
                <option value="GET">GET</option>
              </select>
            )}
          </Field>
        </>
      );
    case 'JSON_WEB_TOKEN':
      return (
        <>
          <Field label="Service account" hint="The token's issuer and subject, e.g. sender@project.iam.example.com.">
            {text('serviceUserAccount', { required: true, maxLength: 256 })}
          </Field>
          <Field
            label="Private key"
            hint={hasSecrets ? secretHint : 'An RSA private key in PEM; tokens are signed RS256.'}
          >
            {(id) => (
              <textarea
                id={id}
                rows={4}
                className="mono"
                placeholder={hasSecrets ? 'saved' : '-----BEGIN PRIVATE KEY-----'}
                value={form.privateKey}
                onChange={(e) => set('privateKey', e.target.value)}
              />
            )}
          </Field>
        </>
      );
    default:
      return null;
  }
}
