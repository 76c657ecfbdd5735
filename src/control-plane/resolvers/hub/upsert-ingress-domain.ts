import { createIngressDomainsRepo } from '../../../database/repos/ingress-domains-repo.js';
import type { ControlContext } from '../../context.js';
import { badInput, conflict, notFound } from '../../errors.js';
import { presentIngress } from './ingress-domain.js';

// Mutation.upsertIngressDomain(tenantId, input) (Meta: IngressEditingModalMutation): sets the
// account's first-party domain and the host domain it must be a CNAME of. Manage level.
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

export async function upsertIngressDomain(
  _p: unknown,
  args: { tenantId: string; input?: { ingress: string; targetDomain: string } | null },
  ctx: ControlContext,
) {
  ctx.access.require(args.tenantId, 'manage');
  if (!args.input) throw badInput('input {ingress, targetDomain} is required');
  const ingress = hostname(args.input.ingress, 'ingress');
  const target = hostname(args.input.targetDomain, 'targetDomain');
  const repo = createIngressDomainsRepo(ctx.deps.db);
  const stored = await repo.upsert(ctx.access.visibleTenantIds, args.tenantId, ingress, target);
  if (stored === 'taken') throw conflict(`${ingress} is already the ingress domain of another account`);
  const found = stored === 'ok' ? await repo.get(ctx.access.visibleTenantIds, args.tenantId) : null;
  if (!found) throw notFound(`account ${args.tenantId} not found`);
  return presentIngress(ctx, found);
}

function hostname(value: string, field: string): string {
  const name = value.trim().toLowerCase().replace(/\.$/, '');
  if (!HOSTNAME.test(name)) throw badInput(`${field} must be a domain name like capig.example.com (got "${value}")`);
  return name;
}
