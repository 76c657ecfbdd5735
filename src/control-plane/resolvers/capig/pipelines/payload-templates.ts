import { randomUUID } from 'node:crypto';
import { deleteTemplate, listTemplates, saveTemplate } from '../../../../database/repos/payload-templates-repo.js';
import { BUILT_IN_TEMPLATES, validateTemplate } from '../../../../publish/http-destination/template.js';
import type { ControlContext } from '../../../context.js';
import { badInput, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { optionalName } from './input.js';

// The payload template library of custom HTTP destinations (extension): tenantQueries {
// payloadTemplates } (the built-in ones, then the account's), dataDestinationMutations {
// savePayloadTemplate(name, body) deletePayloadTemplate(id) }. A saved template is parsed first.

const MAX_SAVED = 200;

export async function payloadTemplates(parent: TenantParent, _args: unknown, ctx: ControlContext) {
  const saved = await listTemplates(ctx.deps.db, scopeOf(ctx, parent.tenantId));
  return [...BUILT_IN_TEMPLATES.map((t) => ({ ...t, builtIn: true })), ...saved.map((t) => ({ ...t, builtIn: false }))];
}

export async function savePayloadTemplate(
  parent: TenantParent,
  args: { name: string; body: string },
  ctx: ControlContext,
) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const name = optionalName(args.name);
  if (name === null) throw badInput('name is empty: name the template');
  if (BUILT_IN_TEMPLATES.some((t) => t.name === name)) {
    throw badInput(`"${name}" is a built-in template's name: choose another`);
  }
  const problems = validateTemplate(args.body);
  if (problems.length > 0) throw badInput(`the template cannot be used: ${problems.join('; ')}`);
  const scope = scopeOf(ctx, tenantId);
  const existing = await listTemplates(ctx.deps.db, scope);
  if (!existing.some((t) => t.name === name) && existing.length >= MAX_SAVED) {
    throw badInput(`an account keeps at most ${MAX_SAVED} templates: delete one first`);
  }
  const saved = await saveTemplate(ctx.deps.db, tenantId, { id: `tpl_${randomUUID()}`, name, body: args.body });
  ctx.deps.log.info({ tenantId, templateId: saved.id }, 'payload template saved');
  return { ...saved, builtIn: false };
}

export async function deletePayloadTemplate(parent: TenantParent, args: { id: string }, ctx: ControlContext) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const id = String(args.id);
  if (BUILT_IN_TEMPLATES.some((t) => t.id === id)) throw badInput(`${id} is built in and cannot be deleted`);
  if (!(await deleteTemplate(ctx.deps.db, scopeOf(ctx, tenantId), id))) {
    throw notFound(`payload template ${id} not found in account ${tenantId}`);
  }
  ctx.deps.log.info({ tenantId, templateId: id }, 'payload template deleted');
  return id;
}
