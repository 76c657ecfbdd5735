import type { Db, Sql } from '../../database/db.js';
import { createAuthLinksRepo, type LinkKind } from '../../database/repos/auth-links-repo.js';
import { createSessionsRepo } from '../../database/repos/sessions-repo.js';
import { createTenantsRepo } from '../../database/repos/tenants-repo.js';
import { createUsersRepo, normalizeEmail, USER_ACTIVE, USER_PENDING } from '../../database/repos/users-repo.js';
import { type AuthOutcome, field, refused } from './outcome.js';
import { hashSecret, passwordProblem } from './passwords.js';
import type { Sessions } from './sessions.js';

// Invitation and password-reset links: issued by the hub resolvers, used through
// POST /auth/signup and POST /auth/reset (the form at GET /auth/verify/ posts there).

const LINK_TYPE: Record<LinkKind, string> = { invitation: 'inv', password_reset: 'reset' };

/** `{publicUrl}/auth/verify/?token=..&et=inv&email=..`, Meta's sample link format. */
export function linkUrl(publicUrl: string, kind: LinkKind, token: string, email: string): string {
  // "@" is legal in a query and Meta's samples show it unescaped.
  const mail = encodeURIComponent(email).replace(/%40/g, '@');
  return `${publicUrl}/auth/verify/?token=${token}&et=${LINK_TYPE[kind]}&email=${mail}`;
}

/** Issues a link in the caller's transaction and returns its URL. */
export async function issueLink(
  tx: Sql,
  publicUrl: string,
  kind: LinkKind,
  user: { id: string; email: string },
  tenantId: string | null,
): Promise<string> {
  const token = await createAuthLinksRepo(tx).issue(kind, user.id, tenantId);
  return linkUrl(publicUrl, kind, token, user.email);
}

const INVALID_LINK = 'this link is invalid, already used or expired (links are valid 24 hours); ask for a new one';

export function createLinkFlows(db: Db, sessions: Sessions) {
  const links = createAuthLinksRepo(db);
  const users = createUsersRepo(db);
  return {
    /** An invited person sets a password: the user becomes active and is signed in. */
    async signup(body: unknown): Promise<AuthOutcome> {
      const token = field(body, 'token');
      const email = field(body, 'email');
      const password = field(body, 'password');
      if (!token || !email) return refused(400, 'send JSON {"token": ..., "email": ..., "password": ...}');
      const problem = passwordProblem(password);
      if (problem) return refused(400, problem);
      const target = await links.peek('invitation', token);
      if (!target) return refused(400, INVALID_LINK);
      if (target.email !== normalizeEmail(email)) {
        return refused(400, 'this invitation is for another email address: use the address it was sent to');
      }
      const user = await users.credentials(target.email);
      if (user?.status !== USER_PENDING) return refused(409, 'this user has already signed up: log in instead');
      if (user.expired) return refused(403, `the access of this temporary user ended on ${user.expiry}`);
      const hash = await hashSecret(password as string);
      const used = await db.transaction(async (tx) => {
        if (!(await createAuthLinksRepo(tx).consume('invitation', token))) return false;
        await createUsersRepo(tx).setPassword(target.userId, hash, { activate: true });
        // An unmanaged account is "setup in progress" until its invited admin signs up.
        await createTenantsRepo(tx).activateWhereAdmin(target.userId);
        return true;
      });
      if (!used) return refused(400, INVALID_LINK);
      const session = await sessions.start(target.userId);
      return { ok: true, status: 200, body: { userId: target.userId, csrfToken: session.csrfToken }, session };
    },

    /** A new password from a reset link; every other session of the user ends. */
    async reset(body: unknown): Promise<AuthOutcome> {
      const token = field(body, 'token');
      const password = field(body, 'password');
      if (!token) return refused(400, 'send JSON {"token": ..., "password": ...}');
      const problem = passwordProblem(password);
      if (problem) return refused(400, problem);
      const target = await links.peek('password_reset', token);
      if (!target) return refused(400, INVALID_LINK);
      const hash = await hashSecret(password as string);
      const used = await db.transaction(async (tx) => {
        if (!(await createAuthLinksRepo(tx).consume('password_reset', token))) return false;
        await createUsersRepo(tx).setPassword(target.userId, hash, { activate: false });
        await createSessionsRepo(tx).deleteForUser(target.userId);
        return true;
      });
      if (!used) return refused(400, INVALID_LINK);
      const user = await users.credentials(target.email);
      if (user?.status !== USER_ACTIVE || user.expired) {
        return { ok: true, status: 200, body: { userId: target.userId, signedIn: false } };
      }
      const session = await sessions.start(target.userId);
      return {
        ok: true,
        status: 200,
        body: { userId: target.userId, signedIn: true, csrfToken: session.csrfToken },
        session,
      };
    },
  };
}

export type LinkFlows = ReturnType<typeof createLinkFlows>;
