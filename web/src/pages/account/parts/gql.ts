import { ApiError, gql } from '../../../api';

// The account screens talk to /capig/graphql/ through tenantQueries / tenantMutations(tenantId).
// varDefs declares the operation's own variables, e.g. '$w: Int!'.

export function tenantQuery<T>(tenantId: string, varDefs: string, fields: string, vars: Record<string, unknown> = {}) {
  return inTenant<T>('query', 'tenantQueries', tenantId, varDefs, fields, vars);
}

export function tenantMutation<T>(
  tenantId: string,
  varDefs: string,
  fields: string,
  vars: Record<string, unknown> = {},
) {
  return inTenant<T>('mutation', 'tenantMutations', tenantId, varDefs, fields, vars);
}

async function inTenant<T>(
  kind: 'query' | 'mutation',
  namespace: 'tenantQueries' | 'tenantMutations',
  tenantId: string,
  varDefs: string,
  fields: string,
  vars: Record<string, unknown>,
): Promise<T> {
  const defs = varDefs ? `, ${varDefs}` : '';
  const data = await gql<Record<string, T | null>>(
    'capig',
    `${kind} ($tenantId: ID!${defs}) { ${namespace}(tenantId: $tenantId) { ${fields} } }`,
    { tenantId, ...vars },
  );
  const scoped = data[namespace];
  if (!scoped) throw new ApiError('The gateway did not find this account.', 200);
  return scoped;
}

/** Pretty-prints a JSON string; anything that is not JSON is shown as it came. */
export function prettyJson(text: string | null | undefined): string {
  if (!text) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export const clock = (epochMs: number) =>
  new Date(epochMs).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
