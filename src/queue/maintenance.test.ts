import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase, waitFor } from '../../test/harness.js';
import type { Db } from '../database/db.js';
import { createLogger } from '../platform/logger.js';
import { startMaintenance } from './maintenance.js';

// Housekeeping runs on its own timer, so a statement that always fails would only ever show as a
// warning in the log: run real ticks and check both what they removed and that nothing failed.

describe('maintenance', () => {
  let db: Db;
  let close: () => Promise<void>;
  before(async () => {
    ({ db, close } = await openTestDatabase());
  });
  after(() => close());

  test('ticks prune expired dedup keys, without a warning', async () => {
    await db.query(
      `INSERT INTO dedup_keys (pixel_id, event_name, event_id, seen_at)
       VALUES ('p1', 'Lead', 'old', now() - interval '49 hours'), ('p1', 'Lead', 'fresh', now())`,
    );
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const stop = startMaintenance(db, createLogger('warn', sink), { intervalMs: 20 });
    try {
      await waitFor(async () => {
        const keys = await db.query<{ event_id: string }>(`SELECT event_id FROM dedup_keys WHERE pixel_id = 'p1'`);
        return keys.length === 1 && keys[0]?.event_id === 'fresh';
      }, 'the expired dedup key to be pruned');
      // A few more ticks, so a failure on any later tick would show too.
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      stop();
    }
    assert.deepEqual(lines, []);
  });
});
