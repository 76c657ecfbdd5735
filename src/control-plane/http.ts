import type { FastifyInstance } from 'fastify';
import type { ApiAccountsRepo } from '../database/repos/api-accounts-repo.js';
import type { ApiTokens } from './auth/api-tokens.js';
import type { Authenticator } from './auth/authenticator.js';
import type { ControlDeps } from './context.js';
import { loadSdl, makeExecutableSchema } from './graphql/executable-schema.js';
import { capigResolvers } from './resolvers/capig/index.js';
import { hubResolvers } from './resolvers/hub/index.js';
import { registerGetGraphiql } from './routes/get-graphiql.js';
import { registerGraphql } from './routes/graphql.js';
import { registerPostClientsToken } from './routes/post-clients-token.js';

// Mounts the control plane on the gateway's HTTP server.
export function registerControlPlane(
  app: FastifyInstance,
  deps: { control: ControlDeps; authenticator: Authenticator; apiAccounts: ApiAccountsRepo; apiTokens: ApiTokens },
): void {
  const hub = makeExecutableSchema(loadSdl('hub.graphql'), hubResolvers);
  const capig = makeExecutableSchema(loadSdl('capig.graphql'), capigResolvers);
  registerGraphql(app, { hub, capig, authenticator: deps.authenticator, control: deps.control });
  registerGetGraphiql(app);
  registerPostClientsToken(app, deps);
  const health = async () => ({ status: 'ok' });
  app.get('/hub/health', health);
  app.get('/hub/health/', health);
}
