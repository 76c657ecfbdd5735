import { ApiError, gql } from '../../../api';

// The account screens talk to /capig/graphql/ through tenantQueries / tenantMutations(tenantId).
// varDefs declares the operation's own variables, e.g. '$w: Int!'.

export async function tenantQuery<T>(
  tenantId: string,
  varDefs: string,
  fields: string,
  vars: Record<string, unknown> = {},
): Promise<T> {
  const defs = varDefs ? `, ${varDefs}` : '';
  const data = await gql<{ tenantQueries: T | null }>(
    'capig',
    `query ($tenantId: ID!${defs}) { tenantQueries(tenantId: $tenantId) { ${fields} } }`,
    { tenantId, ...vars },
  );
  if (!data.tenantQueries) throw new ApiError('The gateway did not find this account.', 200);
  return data.tenantQueries;
}

export async function tenantMutation<T>(
  tenantId: string,
  varDefs: string,
  fields: string,
  vars: Record<string, unknown> = {},
): Promise<T> {
  const defs = varDefs ? `, ${varDefs}` : '';
  const data = await gql<{ tenantMutations: T | null }>(
    'capig',
    `mutation ($tenantId: ID!${defs}) { tenantMutations(tenantId: $tenantId) { ${fields} } }`,
    { tenantId, ...vars },
  );
  if (!data.tenantMutations) throw new ApiError('The gateway did not find this account.', 200);
  return data.tenantMutations;
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
