import {
  type DocumentNode,
  getNullableType,
  type GraphQLSchema,
  isListType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';

// What one GraphQL operation may cost before it runs. A query that nests lists (an account's users,
// each user's accounts, each of those accounts' users...) multiplies its work at every level, and
// without a bound one view-only caller could stall every tenant's ingest. Depth is counted through
// named fragments too, and every list is priced at the size it may have.

export const MAX_DEPTH = 12;
/** Fits every screen of the dashboard and Meta's sample documents with room to spare. */
export const MAX_COST = 10_000;
/** What a list without a `limit` argument is priced at. */
export const ASSUMED_LIST_SIZE = 25;
/** Fields that do more than read a row: a DNS lookup per ingress domain. */
const FIELD_COST: Readonly<Record<string, number>> = {
  'Query.ingressDomain': 100,
  'Mutation.upsertIngressDomain': 100,
};

const listAwareEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const own = FIELD_COST[`${type.name}.${field.name}`] ?? 1;
  if (!isListType(getNullableType(field.type))) return own + childComplexity;
  const size =
    typeof args.limit === 'number'
      ? args.limit
      : Array.isArray(args.pixelIds)
        ? args.pixelIds.length
        : ASSUMED_LIST_SIZE;
  return own + size * childComplexity;
};

/** The operation's cost; throws, with a message for the caller, when it cannot be priced (bad variables). */
export function costOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): number {
  return getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    ...(operationName ? { operationName } : {}),
    estimators: [listAwareEstimator],
  });
}

/** The deepest selection, following fragment spreads; a fragment cycle counts as too deep. */
export function depthOf(document: DocumentNode): number {
  const fragments = new Map<string, SelectionSetNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def.selectionSet);
  }
  const walk = (set: SelectionSetNode, depth: number, path: ReadonlySet<string>): number => {
    if (depth > MAX_DEPTH) return depth;
    let max = depth;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (s.selectionSet) max = Math.max(max, walk(s.selectionSet, depth + 1, path));
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, walk(s.selectionSet, depth, path));
      } else {
        const name = s.name.value;
        const target = fragments.get(name);
        if (path.has(name)) return Number.POSITIVE_INFINITY;
        if (target) max = Math.max(max, walk(target, depth, new Set([...path, name])));
      }
      if (max > MAX_DEPTH) return max;
    }
    return max;
  };
  let deepest = 0;
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) deepest = Math.max(deepest, walk(def.selectionSet, 1, new Set()));
  }
  return deepest;
}
