import { readFileSync } from 'node:fs';
import {
  buildSchema,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  GraphQLScalarType,
  type GraphQLSchema,
  isObjectType,
} from 'graphql';

// Schema-first: the SDL files are the contract; resolvers are attached by type and field name,
// and a resolver for a field the SDL does not have is an error at start-up, not a silent no-op.

export type Resolvers<TContext> = Record<string, Record<string, GraphQLFieldResolver<unknown, TContext>>>;

const SCHEMA_DIR = new URL('../../../src/control-plane/schema/', import.meta.url);

export function loadSdl(file: string): string {
  return readFileSync(new URL(file, SCHEMA_DIR), 'utf8');
}

/** The /capig/graphql/ schema: Meta's pixel parts, then its Signals Gateway pipelines (one schema, two files). */
export function loadCapigSdl(): string {
  return `${loadSdl('capig.graphql')}\n${loadSdl('capig-pipelines.graphql')}`;
}

/** A context may carry a deadline (epoch ms) for its whole operation. */
interface Budgeted {
  deadline?: number;
}

/** Thrown when an operation runs past its deadline: the fields not yet started are not run. */
export class BudgetExceeded extends Error {}

/**
 * Every resolver first checks the operation's deadline, so a costly operation stops where it is
 * instead of holding the database (and the ingest that shares it) for as long as it likes.
 */
function withinBudget<TContext>(
  resolve: GraphQLFieldResolver<unknown, TContext>,
): GraphQLFieldResolver<unknown, TContext> {
  return (source, args, context, info) => {
    const deadline = (context as Budgeted | undefined)?.deadline;
    if (deadline !== undefined && Date.now() > deadline) throw new BudgetExceeded('the operation ran out of time');
    return resolve(source, args, context, info);
  };
}

export function makeExecutableSchema<TContext>(sdl: string, resolvers: Resolvers<TContext>): GraphQLSchema {
  const schema = buildSchema(sdl);
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type)) throw new Error(`resolvers for unknown type ${typeName}`);
    const defined = (type as GraphQLObjectType).getFields();
    for (const [fieldName, resolve] of Object.entries(fields)) {
      const field = defined[fieldName];
      if (!field) throw new Error(`resolver for unknown field ${typeName}.${fieldName}`);
      field.resolve = withinBudget(resolve);
    }
  }
  const long = schema.getType('Long');
  if (long instanceof GraphQLScalarType) {
    // Counts are JSON numbers: JavaScript numbers are exact up to 2^53, far beyond any event count.
    long.serialize = (v) => Number(v);
    long.parseValue = (v) => Number(v);
  }
  return schema;
}
