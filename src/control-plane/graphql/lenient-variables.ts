import { type GraphQLError, type ValidationRule, VariablesInAllowedPositionRule } from 'graphql';

// Meta's own sample documents declare a variable as String! where the schema says ID! (and the
// other way round). graphql-js rejects that; compatibility means accepting exactly that swap and
// nothing else. Both types are strings on the wire, so execution is unaffected.
export const LenientVariablesInAllowedPositionRule: ValidationRule = (context) => {
  const filtered = Object.create(context) as typeof context;
  filtered.reportError = (error: GraphQLError) => {
    if (!isIdStringSwap(error.message)) context.reportError(error);
  };
  return VariablesInAllowedPositionRule(filtered);
};

function isIdStringSwap(message: string): boolean {
  const m = /of type "([^"]+)" used in position expecting type "([^"]+)"/.exec(message);
  if (!m?.[1] || !m[2]) return false;
  const canon = (t: string) => t.replace(/\bID\b/g, 'String');
  // A non-null variable may fill a nullable position; the reverse is still an error.
  return canon(m[1]) === canon(m[2]) || canon(m[1]) === `${canon(m[2])}!`;
}
