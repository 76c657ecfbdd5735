import type { Sql } from '../../database/db.js';
import { createSessionsRepo } from '../../database/repos/sessions-repo.js';
import { createUsersRepo, normalizeEmail, USER_DEACTIVATED } from '../../database/repos/users-repo.js';
import { type AuthOutcome, field, refused } from './outcome.js';
import { verifySecret } from './passwords.js';
import type { Sessions } from './sessions.js';

// POST /auth/login. Failures are counted per email and per client IP in the database (so every
// instance sees them); past the limit the key waits for its window to end (429 + Retry-After).

export const LOGIN_WINDOW_SEC = 15 * 60;
export const MAX_FAILURES_PER_EMAIL = 5;
/** Higher than per email: several people may sit behind one NAT. */
export const MAX_FAILURES_PER_IP = 20;
// A well-formed hash no password matches: unknown emails cost the same time as known ones.
const NO_PASSWORD = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA';
const BAD_CREDENTIALS = 'wrong email or password';

export function createLogin(db: Sql, sessions: Sessions) {
  const users = createUsersRepo(db);
  const throttle = createSessionsRepo(db);
  return async function login(body: unknown, ip: string): Promise<AuthOutcome> {
    const email = field(body, 'email');
    const password = field(body, 'password');
    if (!email || !password) return refused(400, 'send JSON {"email": ..., "password": ...}');
    const keys = [
      { key: `email:${normalizeEmail(email)}`, max: MAX_FAILURES_PER_EMAIL },
      { key: `ip:${ip}`, max: MAX_FAILURES_PER_IP },
    ];
    // Every attempt counts as a failure until its password checks out (see attempt()).
    let wait = 0;
    for (const k of keys) wait = Math.max(wait, await throttle.attempt(k.key, k.max, LOGIN_WINDOW_SEC));
    if (wait > 0) {
      return refused(429, `too many failed logins; try again in ${Math.ceil(wait / 60)} minute(s)`, wait);
    }

    const user = await users.credentials(email);
    const ok = await verifySecret(password.slice(0, 200), user?.passwordHash ?? NO_PASSWORD);
    if (!user || !ok) return refused(401, BAD_CREDENTIALS);
    await throttle.forgive(keys[1]?.key as string);
    // Only someone who knows the password learns why a correct login is still refused.
    if (user.status === USER_DEACTIVATED) return refused(403, 'this user is deactivated; ask an admin');
    if (user.expired) {
      return refused(403, `the access of this temporary user ended on ${user.expiry}; ask an admin to extend it`);
    }
    await throttle.clearFailures(keys[0]?.key as string);
    const session = await sessions.start(user.id);
    return { ok: true, status: 200, body: { userId: user.id, csrfToken: session.csrfToken }, session };
  };
}

export type Login = ReturnType<typeof createLogin>;
