import { parseArgs } from 'node:util';
import type { GatewayConfig } from '../config.js';
import { createHostAdmin } from '../control-plane/auth/first-admin.js';
import { migrate } from '../database/migrate.js';
import { openDatabase } from '../main.js';
import { createLogger } from '../platform/logger.js';

// `capig admin create --email E --password P`: a host admin (agency-admin, active) from a shell,
// for a fresh install before any UI exists. On the embedded database the gateway must be stopped.
export async function adminCreate(config: GatewayConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, password: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help || !values.email || !values.password) {
    process.stderr.write('usage: capig admin create --email E --password P   (the password: 10 to 200 characters)\n');
    return values.help ? 0 : 2;
  }
  const db = await openDatabase(config, createLogger('warn'));
  try {
    await migrate(db);
    const created = await createHostAdmin(
      db,
      { email: values.email, password: values.password },
      { onlyIfNoUsers: false },
    );
    if (!created.ok) {
      process.stderr.write(`capig admin create: ${created.message}\n`);
      return created.reason === 'invalid' ? 2 : 1;
    }
    process.stdout.write(
      `${JSON.stringify({ user_id: created.userId, email: values.email.trim().toLowerCase(), role: 'agency-admin' })}\n`,
    );
    return 0;
  } finally {
    await db.close();
  }
}
