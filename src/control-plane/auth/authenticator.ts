import { parseCookieHeader } from '../../pipeline/fb-cookies.js';
import type { Principal } from '../access.js';
import type { ApiTokens } from './api-tokens.js';

// Who is calling: an API account (Authorization: Bearer capig_...) or a person with a session
// cookie. One place decides, for GraphQL and every other control-plane route.

export const SESSION_COOKIE = 'capig_session';

/** Implemented by the session module: the signed-in person behind a session cookie value. */
export interface SessionLookup {
  principal(sessionId: string): Promise<Principal | null>;
}

export interface Authenticator {
  authenticate(headers: { authorization?: string; cookie?: string }): Promise<Principal | null>;
  setSessions(sessions: SessionLookup): void;
}

export function createAuthenticator(deps: { apiTokens: ApiTokens }): Authenticator {
  let sessions: SessionLookup | null = null;
  return {
    async authenticate(headers) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
      if (bearer) return deps.apiTokens.principal(bearer);
      const sessionId = parseCookieHeader(headers.cookie)[SESSION_COOKIE];
      return sessionId && sessions ? sessions.principal(sessionId) : null;
    },
    setSessions(s) {
      sessions = s;
    },
  };
}
