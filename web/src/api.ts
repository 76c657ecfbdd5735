// The dashboard's only way to the gateway: our own /auth/* routes and the two GraphQL endpoints,
// with the session cookie and, on every POST, the CSRF token the session handed out.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
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

/** Runs one GraphQL operation; the first GraphQL error becomes an ApiError with its message. */
export async function gql<T>(endpoint: Endpoint, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const json = await request<{ data?: T; errors?: { message: string; extensions?: { code?: string } }[] }>(
    'POST',
    `/${endpoint}/graphql/`,
    { query, variables },
  );
  const first = json.errors?.[0];
  if (first) throw new ApiError(first.message, 200, first.extensions?.code);
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
