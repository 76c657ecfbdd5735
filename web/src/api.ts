// The dashboard's only way to the gateway: our own /auth/* routes and the two GraphQL endpoints,
// with the session cookie and, on every POST, the CSRF token the session handed out.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    /** Every error the gateway listed (GraphQL may answer several); message is the first. */
    readonly messages: string[] = [message],
    /** The whole answer, for callers that read more than the error from it. */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

let csrfToken = '';
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'POST' && csrfToken ? { 'x-csrf-token': csrfToken } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('The gateway could not be reached. Check your connection and try again.', 0);
  }
  const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!res.ok && !json?.data) {
    const err = (json?.error ?? (json?.errors as unknown[] | undefined)?.[0]) as
      | { message?: string; extensions?: { code?: string } }
      | undefined;
    throw new ApiError(err?.message ?? `The gateway answered HTTP ${res.status}.`, res.status, err?.extensions?.code);
  }
  return json as T;
}

export type Endpoint = 'hub' | 'capig';

/**
 * POSTs a file as it is (not read into memory by us) with XMLHttpRequest, whose upload progress
 * fetch cannot report. Answers the parsed JSON of a 2xx; an error envelope becomes an ApiError.
 */
export function uploadFile<T>(
  path: string,
  file: Blob,
  contentType: string,
  onProgress: (sent: number, total: number) => void,
): { done: Promise<T>; abort(): void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', contentType);
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () =>
      reject(new ApiError('The gateway could not be reached. Check your connection and try again.', 0));
    xhr.onabort = () => reject(new ApiError('The upload was cancelled.', 0, 'ABORTED'));
    xhr.onload = () => {
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(xhr.responseText) as Record<string, unknown>;
      } catch {
        // not JSON: answered below from the status alone
      }
      if (xhr.status >= 200 && xhr.status < 300 && json) return resolve(json as T);
      const err = json?.error as { message?: string; code?: string } | undefined;
      const message = err?.message ?? `The gateway answered HTTP ${xhr.status}.`;
      reject(
        new ApiError(message, xhr.status, err?.code === undefined ? undefined : String(err.code), [message], json),
      );
    };
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}

/** Runs one GraphQL operation; the first GraphQL error becomes an ApiError with its message. */
export async function gql<T>(endpoint: Endpoint, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const json = await request<{ data?: T; errors?: { message: string; extensions?: { code?: string } }[] }>(
    'POST',
    `/${endpoint}/graphql/`,
    { query, variables },
  );
  const first = json.errors?.[0];
  if (first) {
    const all = (json.errors ?? []).map((e) => e.message);
    throw new ApiError(first.message, 200, first.extensions?.code, all);
  }
  if (!json.data) throw new ApiError('The gateway sent an empty answer.', 200);
  return json.data;
}

export interface SessionInfo {
  user: { id: string; email: string; roles: string[] };
  csrfToken: string;
}

export const auth = {
  /** The signed-in session, or null when nobody is signed in. */
  async session(): Promise<SessionInfo | null> {
    try {
      return await request<SessionInfo>('GET', '/auth/session');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  },
  async setupNeeded(): Promise<boolean> {
    return (await request<{ setupNeeded: boolean }>('GET', '/auth/setup')).setupNeeded;
  },
  setup: (email: string, password: string) => request('POST', '/auth/setup', { email, password }),
  login: (email: string, password: string) => request('POST', '/auth/login', { email, password }),
  logout: () => request('POST', '/auth/logout', {}),
  forgot: (email: string) => request('POST', '/auth/forgot', { email }),
  signup: (token: string, email: string, password: string) =>
    request('POST', '/auth/signup', { token, email, password }),
  reset: (token: string, password: string) =>
    request<{ signedIn: boolean }>('POST', '/auth/reset', { token, password }),
};
