import { parseArgs } from 'node:util';
import type { GatewayConfig } from '../config.js';
import { migrate } from '../database/migrate.js';
import { createAccountsRepo } from '../database/repos/accounts-repo.js';
import { connectPixel } from '../database/repos/signal-configs-repo.js';
import { openDatabase } from '../main.js';
import { createLogger } from '../platform/logger.js';
import { createSecretBox } from '../platform/secret-box.js';
import { loadOrCreateSecret } from '../platform/secret-file.js';

// `capig pixel add`: connects a pixel from the command line, for operators who script their set-up.
// On the embedded database it runs while the gateway is stopped (one process per data dir).
export async function addPixel(config: GatewayConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      account: { type: 'string' },
      'account-name': { type: 'string' },
      'pixel-id': { type: 'string' },
      'access-token': { type: 'string' },
      name: { type: 'string' },
      'api-version': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const problems: string[] = [];
  if (!values.account || !/^[A-Za-z0-9_-]{1,64}$/.test(values.account)) {
    problems.push('--account is required: letters, digits, - and _, at most 64');
  }
  if (!values['pixel-id'] || !/^\d{1,20}$/.test(values['pixel-id']))
    problems.push('--pixel-id is required and numeric');
  if (!values['access-token']) problems.push('--access-token is required (a Conversions API system-user token)');
  if (values['api-version'] && !/^v\d+\.\d+$/.test(values['api-version'])) {
    problems.push('--api-version looks like v24.0');
  }
  if (values.help || problems.length > 0) {
    process.stderr.write(`${problems.map((p) => `capig pixel add: ${p}`).join('\n')}\n`);
    return values.help ? 0 : 2;
  }
  const log = createLogger('warn');
  const db = await openDatabase(config, log);
  try {
    await migrate(db);
    const box = createSecretBox(config.secrets.secretKey ?? (await loadOrCreateSecret(config.database.dataDir)));
    const accounts = createAccountsRepo(db, box);
    const accountId = values.account as string;
    const existing = await db.query('SELECT 1 FROM tenants WHERE id = $1', [accountId]);
    if (existing.length === 0) {
      await accounts.createTenant({ id: accountId, name: values['account-name'] ?? accountId });
    }
    // With its Meta CAPI pipeline, as setupPixelSignalConfig connects one.
    const { accessKey } = await connectPixel(db, box, {
      pixelId: values['pixel-id'] as string,
      tenantId: accountId,
      accessToken: values['access-token'] as string,
      name: values.name ?? '',
      apiVersion: values['api-version'] ?? null,
    });
    process.stdout.write(
      `${JSON.stringify({ account: accountId, pixel_id: values['pixel-id'], access_key: accessKey })}\n`,
    );
    return 0;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      process.stderr.write(`capig pixel add: pixel ${values['pixel-id']} is already connected\n`);
      return 1;
    }
    throw err;
  } finally {
    await db.close();
  }
}
