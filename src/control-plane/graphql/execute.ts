import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  parse,
  specifiedRules,
  VariablesInAllowedPositionRule,
  validate,
  visit,
} from 'graphql';
import { ControlError } from '../errors.js';
import { BudgetExceeded } from './executable-schema.js';
import { LenientVariablesInAllowedPositionRule } from './lenient-variables.js';
import { ASSUMED_LIST_SIZE, costOf, depthOf, MAX_COST, MAX_DEPTH } from './query-cost.js';

// Runs one GraphQL request. Errors carry Meta's codes in extensions.code; only ControlError
// messages reach the client verbatim.

const RULES = specifiedRules.map((rule) =>
  rule === VariablesInAllowedPositionRule ? LenientVariablesInAllowedPositionRule : rule,
);
const MAX_QUERY_LENGTH = 100_000;
/** How long one operation may run; fields not started by then are not run. */
export const OPERATION_BUDGET_MS = 5_000;

/** Just what is needed to report a resolver bug (pino and Fastify's logger both fit). */
export interface ErrorLog {
  error(obj: object, msg: string): void;
}

export interface GraphqlRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export type Prepared =
  | { ok: true; document: DocumentNode; isMutation: boolean }
  | { ok: false; result: ExecutionResult };

/** Parses and validates; the caller authenticates in between (mutations need CSRF checks). */
export function prepare(schema: GraphQLSchema, body: unknown): Prepared {
  const req = body as Partial<GraphqlRequest> | null;
  if (!req || typeof req !== 'object' || typeof req.query !== 'string' || req.query.trim() === '') {
    return fail('the body must be JSON with a "query" string (and optional "variables", "operationName")');
  }
  if (req.query.length > MAX_QUERY_LENGTH) return fail(`the query is longer than ${MAX_QUERY_LENGTH} characters`);
  if (req.variables != null && (typeof req.variables !== 'object' || Array.isArray(req.variables))) {
    return fail('"variables" must be a JSON object');
  }
  let document: DocumentNode;
  try {
    document = parse(req.query, { maxTokens: 5_000 });
  } catch (err) {
    return { ok: false, result: { errors: [withCode(err as GraphQLError, 400)] } };
  }
  if (depthOf(document) > MAX_DEPTH) return fail(`the query is nested deeper than ${MAX_DEPTH} levels`);
  // PostgreSQL text cannot hold U+0000: a resolver would fail on it with an internal error.
  if (hasNul(req.variables) || hasNulLiteral(document)) return fail('strings must not contain U+0000 (NUL)');
  const errors = validate(schema, document, RULES);
  if (errors.length > 0) return { ok: false, result: { errors: errors.map((e) => withCode(e, 400)) } };
  const op = getOperationAST(document, req.operationName ?? undefined);
  if (!op) return fail('the document has several operations: name the one to run in "operationName"');
  let cost: number;
  try {
    cost = costOf(schema, document, req.variables ?? undefined, req.operationName ?? undefined);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (cost > MAX_COST) {
    return fail(
      `the query would cost ${cost}, more than the limit of ${MAX_COST}: lists nest (each priced at ${ASSUMED_LIST_SIZE} items unless limited); ask for fewer nested lists`,
    );
  }
  return { ok: true, document, isMutation: op.operation === 'mutation' };
}

export async function run<TContext>(
  schema: GraphQLSchema,
  document: DocumentNode,
  req: GraphqlRequest,
  context: TContext,
  log: ErrorLog,
): Promise<ExecutionResult> {
  const result = await execute({
    schema,
    document,
    variableValues: req.variables ?? undefined,
    operationName: req.operationName ?? undefined,
    contextValue: context,
  });
  if (!result.errors) return result;
  return { ...result, errors: result.errors.map((e) => present(e, log)) };
}

function present(error: GraphQLError, log: ErrorLog): GraphQLError {
  const original = error.originalError;
  if (original instanceof ControlError) return withCode(error, original.code, original.message);
  if (original instanceof BudgetExceeded) {
    return withCode(
      error,
      400,
      `the operation took longer than ${OPERATION_BUDGET_MS / 1000} s and was stopped; ask for less`,
    );
  }
  if (!original || original instanceof GraphQLError) return withCode(error, 400); // e.g. bad variable values
  log.error({ err: original, path: error.path }, 'resolver failed');
  return withCode(error, 500, 'internal error; the request id identifies it in the gateway log');
}

function withCode(error: GraphQLError, code: number, message = error.message): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code },
  });
}

function fail(message: string): Prepared {
  return { ok: false, result: { errors: [new GraphQLError(message, { extensions: { code: 400 } })] } };
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v));
}

function hasNulLiteral(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes('\u0000')) found = true;
    },
  });
  return found;
}
