import type { Resolvers } from '../../graphql/executable-schema.js';
import type { ControlContext } from '../../context.js';

// Resolvers of /capig/graphql/, one file per operation beside this one. The tenant namespaces
// check that the caller can see the account (404 otherwise); each operation checks its level.
export interface TenantParent {
  tenantId: string;
}

export const capigResolvers: Resolvers<ControlContext> = {
  Query: {
    tenantQueries: (_p, args: { tenantId: string }, ctx) => {
      ctx.access.require(args.tenantId, 'view');
      return { tenantId: args.tenantId } satisfies TenantParent;
    },
  },
  Mutation: {
    tenantMutations: (_p, args: { tenantId: string }, ctx) => {
      ctx.access.require(args.tenantId, 'view');
      return { tenantId: args.tenantId } satisfies TenantParent;
    },
  },
  CapigTenantMutations: {
    signalMutations: (parent) => parent,
  },
};
