import { atLeast, type Level, loadAccess } from '../../control-plane/access.js';
import type { Authenticator } from '../../control-plane/auth/authenticator.js';
import type { Sql } from '../../database/db.js';
import type { TenantScope } from '../../database/repos/signal-configs-repo.js';

// Who may upload to (or read the uploads of) an account: the same callers as POST /capig/graphql/,
// an API account's Bearer token or a person's session cookie, which must echo its CSRF token in
// x-csrf-token when it changes anything. The caller needs the level asked on the account.

export type UploadAuthorization =
  | { ok: true; scope: TenantScope }
  | { ok: false; status: 401 | 403 | 404; message: string };

export interface UploadCaller {
  authorization?: string;
  cookie?: string;
  csrfToken?: string;
}

export type AuthorizeUpload = (
  caller: UploadCaller,
  tenantId: string,
  wanted: Level,
  opts: { changes: boolean },
) => Promise<UploadAuthorization>;

export function createUploadAuthorizer(deps: { authenticator: Authenticator; db: Sql }): AuthorizeUpload {
  return async (caller, tenantId, wanted, opts) => {
    const principal = await deps.authenticator.authenticate({
      authorization: caller.authorization,
      cookie: caller.cookie,
    });
    if (!principal) {
      return {
        ok: false,
        status: 401,
        message: 'not authenticated: sign in, or send "Authorization: Bearer <token>" from POST /clients/token',
      };
    }
    if (opts.changes && principal.kind === 'user' && principal.csrfToken !== null) {
      if (caller.csrfToken !== principal.csrfToken) {
        return { ok: false, status: 401, message: 'the x-csrf-token header is missing or wrong for this session' };
      }
    }
    const access = await loadAccess(deps.db, principal);
    const level = access.levelOf(tenantId);
    if (level === null) return { ok: false, status: 404, message: `account ${tenantId} not found` };
    if (!atLeast(level, wanted)) {
      return {
        ok: false,
        status: 403,
        message: `not authorized: this needs the ${wanted} role on account ${tenantId} (you have ${level})`,
      };
    }
    return { ok: true, scope: { tenantId, visibleTenantIds: access.visibleTenantIds } };
  };
}
