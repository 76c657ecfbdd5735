import type { Resolvers } from '../../graphql/executable-schema.js';
import type { ControlContext } from '../../context.js';

// Resolvers of /hub/graphql/, one file per operation beside this one.
export const hubResolvers: Resolvers<ControlContext> = {
  Mutation: {
    tenantMutations: () => ({}),
    userMutations: () => ({}),
    apiAccountMutations: () => ({}),
  },
};
