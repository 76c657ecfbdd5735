import type { Db } from '../../database/db.js';
import { createSessionsRepo } from '../../database/repos/sessions-repo.js';
import { createUsersRepo, emailProblem, HOST_SCOPE, USER_ACTIVE } from '../../database/repos/users-repo.js';
import { type AuthOutcome, field, refused } from './outcome.js';
import { hashSecret, passwordProblem } from './passwords.js';
import type { Sessions } from './sessions.js';

// The first host admin of a fresh install: `capig admin create` and POST /auth/setup.

// Any fixed number: concurrent set-ups queue on it, so "no user yet" holds for only one of them.
const SETUP_LOCK = 7_260_417_002;
const SETUP_WINDOW_SEC = 15 * 60;
const MAX_SETUP_FAILURES_PER_IP = 20;

export type FirstAdminOutcome =
  | { ok: true; userId: string }
  | { ok: false; reason: 'invalid'; message: string }
  | { ok: false; reason: 'email_taken' | 'users_exist'; message: string };

const ALREADY_SET_UP: FirstAdminOutcome = {
  ok: false,
  reason: 'users_exist',
  message: 'this gateway is already set up: log in instead',
};

/**
 * Creates an active agency-admin. `onlyIfNoUsers` (the unauthenticated HTTP set-up) refuses as
 * soon as any user exists; the CLI, run by the operator, only refuses an email that is taken.
 */
export async function createHostAdmin(
  db: Db,
  input: { email: unknown; password: unknown },
  opts: { onlyIfNoUsers: boolean },
): Promise<FirstAdminOutcome> {
  const problem = emailProblem(input.email) ?? passwordProblem(input.password);
  if (problem) return { ok: false, reason: 'invalid', message: problem };
  const email = input.email as string;
  // Refused before hashing: after set-up, each such request would otherwise cost a memory-hard hash.
  if (opts.onlyIfNoUsers && (await createUsersRepo(db).count()) > 0) return ALREADY_SET_UP;
  const hash = await hashSecret(input.password as string);
  return db.transaction(async (tx): Promise<FirstAdminOutcome> => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK]);
    const users = createUsersRepo(tx);
    if (opts.onlyIfNoUsers && (await users.count()) > 0) return ALREADY_SET_UP;
    if (await users.idByEmail(email)) {
      return {
        ok: false,
        reason: 'email_taken',
        message: `a user with the email ${email.toLowerCase()} already exists`,
      };
    }
    const userId = await users.create({ email, status: USER_ACTIVE, passwordHash: hash });
    await users.grant(userId, HOST_SCOPE, 'admin');
    return { ok: true, userId };
  });
}

/** POST /auth/setup: the first host admin over HTTP, only while no user exists; signs them in. */
export function createSetupFlow(db: Db, sessions: Sessions) {
  const throttle = createSessionsRepo(db);
  return async function setup(body: unknown, ip: string): Promise<AuthOutcome> {
    // Throttled per address like logins: a refused attempt (bad input, already set up) counts.
    const key = `setup-ip:${ip}`;
    const wait = await throttle.attempt(key, MAX_SETUP_FAILURES_PER_IP, SETUP_WINDOW_SEC);
    if (wait > 0) return refused(429, `too many attempts; try again in ${Math.ceil(wait / 60)} minute(s)`, wait);
    const created = await createHostAdmin(
      db,
      { email: field(body, 'email'), password: field(body, 'password') },
      { onlyIfNoUsers: true },
    );
    if (!created.ok) return refused(created.reason === 'invalid' ? 400 : 409, created.message);
    await throttle.forgive(key);
    const session = await sessions.start(created.userId);
    return { ok: true, status: 201, body: { userId: created.userId, csrfToken: session.csrfToken }, session };
  };
}

export type SetupFlow = ReturnType<typeof createSetupFlow>;
