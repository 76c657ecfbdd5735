import { parseArgs } from 'node:util';
import type { GatewayConfig } from '../config.js';
import { migrate } from '../database/migrate.js';
import { apiAccountNameProblem, createApiAccountsRepo } from '../database/repos/api-accounts-repo.js';
import { openDatabase } from '../main.js';
import { createLogger } from '../platform/logger.js';

// `capig api-account create --name N`: prints {"client_id", "client_secret"} as JSON, the only
// time the secret is shown (only its hash is stored). On the embedded database the gateway must
// be stopped.
export async function apiAccountCreate(config: GatewayConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { name: { type: 'string' }, help: { type: 'boolean' } } });
  const problem = values.name ? apiAccountNameProblem(values.name) : '--name is required';
  if (values.help || problem) {
    process.stderr.write(
      `${problem ? `capig api-account create: ${problem}\n` : ''}usage: capig api-account create --name N\n`,
    );
    return values.help ? 0 : 2;
  }
  const name = values.name as string;
  const db = await openDatabase(config, createLogger('warn'));
  try {
    await migrate(db);
    const { secret } = await createApiAccountsRepo(db).create(name, null);
    process.stdout.write(`${JSON.stringify({ client_id: name, client_secret: secret })}\n`);
    return 0;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      process.stderr.write(`capig api-account create: an API account named ${name} already exists\n`);
      return 1;
    }
    throw err;
  } finally {
    await db.close();
  }
}
