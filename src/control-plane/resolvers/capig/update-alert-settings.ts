import { createAlertsRepo, DEFAULT_ALERT_SETTINGS } from '../../../database/repos/alerts-repo.js';
import { emailProblem, normalizeEmail } from '../../../database/repos/users-repo.js';
import { resolvesToPublicAddress } from '../../../platform/public-address.js';
import type { ControlContext } from '../../context.js';
import { badInput } from '../../errors.js';
import { settingsView } from './alert-settings.js';
import type { TenantParent } from './common.js';

// tenantMutations { updateAlertSettings(input) } (extension): manage level. Every problem in the
// input is reported at once; a webhook must be http(s) and, unless CAPIG_ALERT_WEBHOOK_PRIVATE=on,
// reach a public address (checked again when each alert is sent).

interface Input {
  enabled?: boolean | null;
  emails?: string[] | null;
  webhookUrl?: string | null;
  stallMinutes?: number | null;
  deadLetterPercent?: number | null;
  queueAgeMinutes?: number | null;
}

const MAX_EMAILS = 10;

export async function updateAlertSettings(parent: TenantParent, args: { input: Input }, ctx: ControlContext) {
  ctx.access.require(parent.tenantId, 'manage');
  const repo = createAlertsRepo(ctx.deps.db);
  const current = (await repo.settings(parent.tenantId)) ?? DEFAULT_ALERT_SETTINGS;
  const input = args.input;
  const problems: string[] = [];
  const range = (name: keyof Input, value: number | null | undefined, min: number, max: number, now: number) => {
    if (value === undefined || value === null) return now;
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`${name} must be ${min} to ${max}`);
    return value;
  };
  const emails = input.emails === undefined || input.emails === null ? current.emails : input.emails;
  if (emails.length > MAX_EMAILS) problems.push(`at most ${MAX_EMAILS} emails`);
  for (const e of emails) {
    const p = emailProblem(e);
    if (p) problems.push(`emails: ${p}`);
  }
  let webhookUrl = input.webhookUrl === undefined ? current.webhookUrl : input.webhookUrl || null;
  if (webhookUrl !== null) {
    const problem = await webhookProblem(webhookUrl, ctx.deps.allowPrivateWebhooks);
    if (problem) problems.push(`webhookUrl: ${problem}`);
    else webhookUrl = new URL(webhookUrl).toString();
  }
  const next = {
    enabled: input.enabled ?? current.enabled,
    emails: [...new Set(emails.map(normalizeEmail))],
    webhookUrl,
    stallMinutes: range('stallMinutes', input.stallMinutes, 1, 1440, current.stallMinutes),
    deadLetterPercent: range('deadLetterPercent', input.deadLetterPercent, 1, 100, current.deadLetterPercent),
    queueAgeMinutes: range('queueAgeMinutes', input.queueAgeMinutes, 1, 10080, current.queueAgeMinutes),
  };
  if (problems.length > 0) throw badInput(problems.join('; '));
  await repo.save(parent.tenantId, next);
  ctx.deps.log.info({ tenantId: parent.tenantId }, 'alert settings changed');
  return settingsView(ctx, parent.tenantId, next);
}

async function webhookProblem(raw: string, allowPrivate: boolean): Promise<string | null> {
  if (raw.length > 2000) return 'at most 2000 characters';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be http or https';
  if (url.username || url.password) return 'must not carry credentials (the requests are signed instead)';
  if (allowPrivate) return null;
  try {
    if (!(await resolvesToPublicAddress(url.hostname.replace(/^\[|\]$/g, '')))) {
      return `${url.hostname} is not a public address (CAPIG_ALERT_WEBHOOK_PRIVATE=on allows private ones)`;
    }
  } catch {
    return `${url.hostname} does not resolve`;
  }
  return null;
}
