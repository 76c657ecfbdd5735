import { createPrivateKey } from 'node:crypto';
import { validateTemplate } from './template.js';

// A custom HTTP destination's settings (data_destinations.http_config) and secrets
// (http_secrets_enc), and every problem with them, for the mutations that save them.

export interface HttpDestinationConfig {
  endpoint: string;
  httpMethod: 'GET' | 'POST' | 'PUT';
  authType: 'NONE' | 'API_KEY' | 'BASIC' | 'CLIENT_CREDENTIALS' | 'JSON_WEB_TOKEN';
  /** The payload template (Liquid). */
  payloadSchema: string;
  apiKeyName?: string | null;
  apiKeyAddTo?: 'HEADER' | 'QUERY_PARAM' | null;
  clientId?: string | null;
  authEndpoint?: string | null;
  authHttpMethod?: 'GET' | 'POST' | null;
  serviceUserAccount?: string | null;
  /** Deadline of one request; null: the default (5000 ms, as Meta's custom destinations). */
  timeoutMs?: number | null;
}

export interface HttpDestinationSecrets {
  apiKeyValue?: string | null;
  /** `user:password`. */
  basicCredentials?: string | null;
  clientSecret?: string | null;
  /** PEM, RSA. */
  privateKey?: string | null;
}

export interface HttpTarget {
  kind: 'http';
  destinationId: string;
  config: HttpDestinationConfig;
  secrets: HttpDestinationSecrets;
}

export const DEFAULT_TIMEOUT_MS = 5_000;
const TIMEOUT_RANGE_MS = { min: 100, max: 60_000 } as const;
const URL_MAX = 2048;
const NAME_MAX = 256;
const SECRET_MAX = 16 * 1024;
const HTTP_METHODS = ['GET', 'POST', 'PUT'];
const AUTH_TYPES = ['NONE', 'API_KEY', 'BASIC', 'CLIENT_CREDENTIALS', 'JSON_WEB_TOKEN'];
/** RFC 9110 token characters: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Every problem with the settings and secrets; empty when they can be used. */
export function validateHttpConfig(config: HttpDestinationConfig, secrets: HttpDestinationSecrets): string[] {
  const problems: string[] = [];
  problems.push(...urlProblems('endpoint', config.endpoint));
  if (!HTTP_METHODS.includes(config.httpMethod)) problems.push('httpMethod must be GET, POST or PUT');
  if (typeof config.payloadSchema !== 'string') problems.push('payloadSchema (the template) is required');
  else problems.push(...validateTemplate(config.payloadSchema).map((p) => `payloadSchema: ${p}`));
  const t = config.timeoutMs;
  if (t !== null && t !== undefined && (!Number.isInteger(t) || t < TIMEOUT_RANGE_MS.min || t > TIMEOUT_RANGE_MS.max)) {
    problems.push(`timeoutMs must be a whole number from ${TIMEOUT_RANGE_MS.min} to ${TIMEOUT_RANGE_MS.max}`);
  }
  for (const [name, value] of Object.entries({
    apiKeyName: config.apiKeyName,
    clientId: config.clientId,
    serviceUserAccount: config.serviceUserAccount,
  })) {
    if (typeof value === 'string' && value.length > NAME_MAX)
      problems.push(`${name} is longer than ${NAME_MAX} characters`);
  }
  for (const [name, value] of Object.entries(secrets)) {
    if (typeof value === 'string' && value.length > SECRET_MAX)
      problems.push(`${name} is longer than ${SECRET_MAX} characters`);
  }

  switch (config.authType) {
    case 'NONE':
      break;
    case 'API_KEY':
      if (!config.apiKeyName?.trim()) problems.push('API key auth needs apiKeyName');
      else if (config.apiKeyAddTo !== 'QUERY_PARAM' && !HEADER_NAME.test(config.apiKeyName.trim())) {
        problems.push("apiKeyName must be a valid header name (letters, digits and !#$%&'*+.^_`|~-)");
      }
      if (!secrets.apiKeyValue) problems.push('API key auth needs the key value');
      else if (/[\r\n\0]/.test(secrets.apiKeyValue)) problems.push('the API key value must not contain line breaks');
      if (config.apiKeyAddTo !== 'HEADER' && config.apiKeyAddTo !== 'QUERY_PARAM') {
        problems.push('apiKeyAddTo must be HEADER or QUERY_PARAM');
      }
      break;
    case 'BASIC':
      if (!secrets.basicCredentials?.includes(':')) problems.push('basic auth needs credentials as user:password');
      break;
    case 'CLIENT_CREDENTIALS':
      if (!config.clientId?.trim()) problems.push('client credentials need clientId');
      if (!secrets.clientSecret) problems.push('client credentials need clientSecret');
      if (!config.authEndpoint) problems.push('client credentials need authEndpoint (the token URL)');
      else problems.push(...urlProblems('authEndpoint', config.authEndpoint));
      if (config.authHttpMethod != null && config.authHttpMethod !== 'GET' && config.authHttpMethod !== 'POST') {
        problems.push('authHttpMethod must be GET or POST');
      }
      break;
    case 'JSON_WEB_TOKEN':
      if (!config.serviceUserAccount?.trim()) problems.push('a JSON web token needs serviceUserAccount');
      if (!secrets.privateKey) problems.push('a JSON web token needs privateKey (PEM)');
      else {
        try {
          const key = createPrivateKey(secrets.privateKey);
          if (key.asymmetricKeyType !== 'rsa') problems.push('privateKey must be an RSA key (tokens are signed RS256)');
        } catch {
          problems.push('privateKey is not a PEM private key');
        }
      }
      break;
    default:
      problems.push(`authType must be one of ${AUTH_TYPES.join(', ')}`);
  }
  return problems;
}

function urlProblems(name: string, value: unknown): string[] {
  if (typeof value !== 'string' || value.trim() === '') return [`${name} is required`];
  if (value.length > URL_MAX) return [`${name} is longer than ${URL_MAX} characters`];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${name} must be an http(s) URL`];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return [`${name} must be an http(s) URL`];
  if (url.username || url.password) {
    return [`${name} must not carry credentials: use basic auth, which keeps them encrypted`];
  }
  return [];
}
