import { createIngressDomainsRepo, type IngressRecord } from '../../../database/repos/ingress-domains-repo.js';
import type { ControlContext } from '../../context.js';
import { cnamePointsAt } from '../../dns.js';
import { notFound } from '../../errors.js';

// Query.ingressDomain(tenantId) (Meta: DataRoutingQuery): the account's first-party domain and
// whether its CNAME points at the target domain (looked up live, a failed lookup is false).
export async function ingressDomain(_p: unknown, args: { tenantId: string }, ctx: ControlContext) {
  ctx.access.require(args.tenantId, 'view');
  const found = await createIngressDomainsRepo(ctx.deps.db).get(ctx.access.visibleTenantIds, args.tenantId);
  if (!found) throw notFound(`account ${args.tenantId} not found`);
  return presentIngress(ctx, found);
}

/** Meta's IngressDomain shape. tenant1pDomainStatus values beyond DOMAIN_NOT_SELECTED are ours. */
export async function presentIngress(ctx: ControlContext, r: IngressRecord) {
  const verified =
    r.ingress !== null &&
    r.targetDomain !== null &&
    (await cnamePointsAt(ctx.deps.lookupCname, r.ingress, r.targetDomain));
  return {
    id: `${r.tenantId}:ingress`,
    tenantName: r.tenantName,
    ingress: r.ingress,
    targetDomain: r.targetDomain,
    cnameResolveSuccess: verified,
    tenant1pDomain: r.ingress,
    tenant1pDomainStatus: r.ingress === null ? null : verified ? 'DOMAIN_VERIFIED' : 'DOMAIN_NOT_SELECTED',
    enhancementTenantIngressVerifiedResult: {
      id: `${r.tenantId}:tenantIngressVerified`,
      tenantIngressVerified: verified,
    },
  };
}
