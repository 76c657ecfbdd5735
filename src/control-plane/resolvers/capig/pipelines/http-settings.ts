import type {
  HttpDestinationConfig,
  HttpDestinationSecrets,
} from '../../../../publish/http-destination/http-destination-config.js';

// How updateDataDestinationHttpConfig's input (Meta's shape: auth settings in objects per auth type)
// becomes the stored settings and secrets (docs/pipelines.md "Custom HTTP destinations"). Fields
// left out keep the stored value, so an editor need not send secrets back; fields another auth
// type uses are dropped, so switching to NONE forgets a key.

export interface HttpConfigInput {
  id: string;
  endpoint: string;
  httpMethod: string;
  authType: string;
  payloadSchema: string;
  apiKeyAuth?: { name?: string | null; value?: string | null; addTo?: string | null } | null;
  basicAuth?: { credentials?: string | null } | null;
  clientCredentialsAuth?: {
    clientId?: string | null;
    clientSecret?: string | null;
    authEndpoint?: string | null;
    httpMethod?: string | null;
  } | null;
  jsonWebTokenAuth?: { serviceUserAccount?: string | null; privateKey?: string | null } | null;
  timeoutMs?: number | null;
}

const PUBLIC_BY_AUTH: Record<string, ReadonlyArray<keyof HttpDestinationConfig>> = {
  API_KEY: ['apiKeyName', 'apiKeyAddTo'],
  CLIENT_CREDENTIALS: ['clientId', 'authEndpoint', 'authHttpMethod'],
  JSON_WEB_TOKEN: ['serviceUserAccount'],
};
const SECRETS_BY_AUTH: Record<string, ReadonlyArray<keyof HttpDestinationSecrets>> = {
  API_KEY: ['apiKeyValue'],
  BASIC: ['basicCredentials'],
  CLIENT_CREDENTIALS: ['clientSecret'],
  JSON_WEB_TOKEN: ['privateKey'],
};

/** A value that was sent: null, undefined and "" mean "keep what is stored". */
const given = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined && v !== '';

export function mergeHttpSettings(
  input: HttpConfigInput,
  stored: { config: Partial<HttpDestinationConfig> | null; secrets: HttpDestinationSecrets | null },
): { config: HttpDestinationConfig; secrets: HttpDestinationSecrets } {
  const old = stored.config ?? {};
  const oldSecrets = stored.secrets ?? {};
  const sentPublic: Partial<Record<keyof HttpDestinationConfig, unknown>> = {
    apiKeyName: input.apiKeyAuth?.name?.trim(),
    apiKeyAddTo: input.apiKeyAuth?.addTo,
    clientId: input.clientCredentialsAuth?.clientId?.trim(),
    authEndpoint: input.clientCredentialsAuth?.authEndpoint?.trim(),
    authHttpMethod: input.clientCredentialsAuth?.httpMethod,
    serviceUserAccount: input.jsonWebTokenAuth?.serviceUserAccount?.trim(),
  };
  const sentSecrets: HttpDestinationSecrets = {
    apiKeyValue: input.apiKeyAuth?.value,
    basicCredentials: input.basicAuth?.credentials,
    clientSecret: input.clientCredentialsAuth?.clientSecret,
    privateKey: input.jsonWebTokenAuth?.privateKey,
  };

  const config: Record<string, unknown> = {
    endpoint: input.endpoint.trim(),
    httpMethod: input.httpMethod,
    authType: input.authType,
    payloadSchema: input.payloadSchema,
  };
  for (const key of PUBLIC_BY_AUTH[input.authType] ?? []) {
    const v = sentPublic[key];
    config[key] = given(v) ? v : (old[key] ?? null);
  }
  const timeout = given(input.timeoutMs) ? input.timeoutMs : (old.timeoutMs ?? null);
  if (timeout !== null) config.timeoutMs = timeout;

  const secrets: HttpDestinationSecrets = {};
  for (const key of SECRETS_BY_AUTH[input.authType] ?? []) {
    const v = sentSecrets[key];
    const kept = given(v) ? v : oldSecrets[key];
    if (given(kept)) secrets[key] = kept;
  }
  return { config: config as unknown as HttpDestinationConfig, secrets };
}
