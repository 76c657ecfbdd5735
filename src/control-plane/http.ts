import type { FastifyInstance } from 'fastify';
import type { ApiAccountsRepo } from '../database/repos/api-accounts-repo.js';
import { createSessionsRepo } from '../database/repos/sessions-repo.js';
import type { ApiTokens } from './auth/api-tokens.js';
import type { Authenticator } from './auth/authenticator.js';
import { createSetupFlow } from './auth/first-admin.js';
import { createLinkFlows } from './auth/links.js';
import { createLogin } from './auth/login.js';
import type { Sessions } from './auth/sessions.js';
import type { ControlDeps } from './context.js';
import { loadCapigSdl, loadSdl, makeExecutableSchema } from './graphql/executable-schema.js';
import { capigResolvers } from './resolvers/capig/index.js';
import { hubResolvers } from './resolvers/hub/index.js';
import { registerGetAuthSession } from './routes/get-auth-session.js';
import { registerGetAuthSetup } from './routes/get-auth-setup.js';
import { registerGetAuthVerify } from './routes/get-auth-verify.js';
import { registerGetGraphiql } from './routes/get-graphiql.js';
import { registerGetHubApp } from './routes/get-hub-app.js';
import { registerGraphql } from './routes/graphql.js';
import { registerPostAuthForgot } from './routes/post-auth-forgot.js';
import { registerPostAuthLogin } from './routes/post-auth-login.js';
import { registerPostAuthLogout } from './routes/post-auth-logout.js';
import { registerPostAuthReset } from './routes/post-auth-reset.js';
import { registerPostAuthSetup } from './routes/post-auth-setup.js';
import { registerPostAuthSignup } from './routes/post-auth-signup.js';
import { registerPostClientsToken } from './routes/post-clients-token.js';

// Mounts the control plane on the gateway's HTTP server.
export function registerControlPlane(
  app: FastifyInstance,
  deps: {
    control: ControlDeps;
    authenticator: Authenticator;
    apiAccounts: ApiAccountsRepo;
    apiTokens: ApiTokens;
    sessions: Sessions;
    webDir: string;
  },
): void {
  const hub = makeExecutableSchema(loadSdl('hub.graphql'), hubResolvers);
  const capig = makeExecutableSchema(loadCapigSdl(), capigResolvers);
  registerGraphql(app, { hub, capig, authenticator: deps.authenticator, control: deps.control });
  registerGetGraphiql(app);
  registerPostClientsToken(app, { ...deps, throttle: createSessionsRepo(deps.control.db) });

  // People: sessions, invitation signup, password reset, first-admin set-up.
  const { db } = deps.control;
  const publicUrl = deps.control.config.http.publicUrl;
  const links = createLinkFlows(db, deps.sessions);
  registerPostAuthLogin(app, { login: createLogin(db, deps.sessions), publicUrl });
  registerPostAuthLogout(app, { sessions: deps.sessions, publicUrl });
  registerGetAuthSession(app, { authenticator: deps.authenticator });
  registerPostAuthSignup(app, { links, publicUrl });
  registerPostAuthReset(app, { links, publicUrl });
  registerGetAuthVerify(app);
  registerPostAuthSetup(app, { setup: createSetupFlow(db, deps.sessions), publicUrl });
  registerGetAuthSetup(app, { db });
  registerPostAuthForgot(app, { db, mailer: deps.control.mailer, publicUrl, log: deps.control.log });

  // The dashboard, which uses only the routes above.
  registerGetHubApp(app, { webDir: deps.webDir });
  const health = async () => ({ status: 'ok' });
  app.get('/hub/health', health);
  app.get('/hub/health/', health);
}
