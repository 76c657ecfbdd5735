import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import { parseJsonBody } from '../../platform/http-app.js';
import { loadAccess } from '../access.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { ControlContext, ControlDeps } from '../context.js';
import { type GraphqlRequest, OPERATION_BUDGET_MS, prepare, run } from '../graphql/execute.js';
import { createLoaders } from '../graphql/loaders.js';
import { visibilityFor } from '../resolvers/hub/people.js';

// POST /hub/graphql/ and /capig/graphql/ (with or without the trailing slash).
// HTTP status policy: 400 for a request that is not valid GraphQL, 401 when the caller is not
// authenticated (or a session mutation lacks its CSRF token); otherwise 200, with any error of an
// operation in errors[].extensions.code (Meta's codes: 400, 401, 404, 409, 418, 500).
export function registerGraphql(
  app: FastifyInstance,
  deps: { hub: GraphQLSchema; capig: GraphQLSchema; authenticator: Authenticator; control: ControlDeps },
): void {
  for (const [path, schema] of [
    ['/hub/graphql', deps.hub],
    ['/capig/graphql', deps.capig],
  ] as const) {
    const handler = (req: FastifyRequest, reply: FastifyReply) => handle(schema, req, reply);
    app.post(path, handler);
    app.post(`${path}/`, handler);
  }

  async function handle(schema: GraphQLSchema, req: FastifyRequest, reply: FastifyReply) {
    // Who is asking comes first: parsing and validating a document costs work nobody anonymous gets.
    const principal = await deps.authenticator.authenticate({
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
    });
    if (!principal) {
      return reply
        .status(401)
        .send(
          errors(401, 'not authenticated: sign in, or send "Authorization: Bearer <token>" from POST /clients/token'),
        );
    }
    const body = parseJsonBody(req.body);
    if (!body.ok) return reply.status(400).send(errors(400, body.message));
    const prepared = prepare(schema, body.value);
    if (!prepared.ok) return reply.status(400).send(prepared.result);

    if (prepared.isMutation && principal.kind === 'user' && principal.csrfToken !== null) {
      if (req.headers['x-csrf-token'] !== principal.csrfToken) {
        return reply.status(401).send(errors(401, 'the x-csrf-token header is missing or wrong for this session'));
      }
    }
    const access = await loadAccess(deps.control.db, principal);
    const context: ControlContext = {
      deps: deps.control,
      principal,
      access,
      publicUrl: deps.control.config.http.publicUrl ?? `${req.protocol}://${req.host}`,
      requestId: req.id,
      loaders: createLoaders(deps.control.db, visibilityFor(principal, access)),
      deadline: Date.now() + OPERATION_BUDGET_MS,
    };
    const result = await run(schema, prepared.document, body.value as GraphqlRequest, context, req.log);
    return reply.status(200).send(result);
  }
}

function errors(code: number, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}
