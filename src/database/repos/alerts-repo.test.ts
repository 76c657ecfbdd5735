import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase } from '../../../test/harness.js';
import type { Db } from '../db.js';
import { createAlertsRepo, DEFAULT_ALERT_SETTINGS } from './alerts-repo.js';

// The alert conditions are SQL over the queue, the per-minute counts and the pixels: each is
// checked here against rows shaped as the gateway writes them, times moved back where an alert
// needs time to pass.

describe('alert conditions', () => {
  let db: Db;
  let close: () => Promise<void>;
  before(async () => {
    ({ db, close } = await openTestDatabase());
    await db.query(`INSERT INTO tenants (id, name) VALUES ('t1', 'Shop'), ('t2', 'Quiet')`);
    await db.query(
      `INSERT INTO pixels (pixel_id, tenant_id, name, access_key_enc) VALUES ('p-ok', 't1', 'ok', 'k1'), ('p-dead', 't1', 'dead', 'k2'),
              ('p-old', 't1', 'old', 'k3'), ('p-expiring', 't1', 'expiring', 'k4'), ('p-off', 't2', 'off', 'k5')`,
    );
    const alerts = createAlertsRepo(db);
    await alerts.save('t1', { ...DEFAULT_ALERT_SETTINGS, queueAgeMinutes: 10, stallMinutes: 1000 });
    // t2 has alerts switched off: nothing of it is reported.
    await alerts.save('t2', { ...DEFAULT_ALERT_SETTINGS, enabled: false, queueAgeMinutes: 1 });
  });
  after(() => close());

  const count = (pixel: string, outcome: string, n: number, minutesAgo = 0) =>
    db.query(
      `INSERT INTO event_metrics (tenant_id, pixel_id, minute, event_name, domain, outcome, shard, count)
       VALUES ((SELECT tenant_id FROM pixels WHERE pixel_id = $1), $1,
               date_trunc('minute', now() - make_interval(mins => $4)), 'Lead', '', $2, 0, $3)`,
      [pixel, outcome, n, minutesAgo],
    );
  const queue = (pixel: string, minutesAgo: number, eventAgeSec = 60) =>
    db.query(
      `INSERT INTO event_queue (pixel_id, tenant_id, event, event_name, event_time, enqueued_at)
       VALUES ($1, (SELECT tenant_id FROM pixels WHERE pixel_id = $1), '{}'::jsonb, 'Lead',
               extract(epoch FROM now())::int8 - $3, now() - make_interval(mins => $2))`,
      [pixel, minutesAgo, eventAgeSec],
    );

  test('dead letters over the share, queue age and events near the 7 days fire; healthy pixels do not', async () => {
    await count('p-ok', 'published', 100);
    await count('p-ok', 'dead_lettered', 5); // 5 %: under the 10 % default
    await count('p-dead', 'published', 50);
    await count('p-dead', 'dead_lettered', 20); // 29 %
    await count('p-dead', 'dead_lettered', 500, 30); // outside the 15-minute window
    await queue('p-ok', 1);
    await queue('p-old', 20);
    await queue('p-expiring', 1, 6.5 * 24 * 3600);
    await queue('p-off', 600);
    const found = (await createAlertsRepo(db).conditions()).map((c) => `${c.pixelId} ${c.kind}: ${c.detail}`).sort();
    assert.deepEqual(found, [
      'p-dead dead_letters: 20 of 70 events dead-lettered in 15 minutes',
      'p-expiring near_expiry: queued events are close to the 7 days after which Meta refuses them',
      'p-old queue_age: the oldest queued event waits for 20 minutes',
    ]);
  });

  test('an incident opens once, resolves once, and its notifications are claimed once each, in order', async () => {
    const alerts = createAlertsRepo(db);
    const c = { tenantId: 't1', pixelId: 'p-old', kind: 'queue_age' as const, detail: 'waits' };
    const id = await alerts.open(c);
    assert.ok(id);
    assert.equal(await alerts.open(c), null, 'already open');
    const first = await alerts.claimNotifications();
    assert.deepEqual(
      first.filter((n) => n.id === id).map((n) => n.state),
      ['firing'],
    );
    assert.equal((await alerts.claimNotifications()).length, 0, 'claimed once');
    assert.equal(await alerts.resolve(id), true);
    assert.equal(await alerts.resolve(id), false);
    const second = await alerts.claimNotifications();
    assert.deepEqual(
      second.map((n) => [n.id, n.state]),
      [[id, 'resolved']],
    );
    // A failed send is handed back and claimed again.
    await alerts.releaseNotification(id, 'resolved');
    assert.deepEqual(
      (await alerts.claimNotifications()).map((n) => n.state),
      ['resolved'],
    );
    assert.ok(await alerts.open(c), 'a new incident after the last one ended');
  });
});
