import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase } from '../../../test/harness.js';
import type { Db } from '../db.js';
import { createAlertsRepo, DEFAULT_ALERT_SETTINGS } from './alerts-repo.js';

// The alert conditions are SQL over the queue, the per-minute counts, the pixels and the gateway
// destinations (each its own lane): each is checked here against rows shaped as the gateway writes
// them, times moved back where an alert needs time to pass.

/** The account of a lane: a pixel's, or a gateway destination's. */
const TENANT_OF_LANE = `coalesce((SELECT tenant_id FROM pixels WHERE pixel_id = $1),
                                 (SELECT tenant_id FROM data_destinations WHERE id = $1 AND pixel_id IS NULL))`;

describe('alert conditions', () => {
  let db: Db;
  let close: () => Promise<void>;
  before(async () => {
    ({ db, close } = await openTestDatabase());
    await db.query(`INSERT INTO tenants (id, name) VALUES ('t1', 'Shop'), ('t2', 'Quiet')`);
    await db.query(
      `INSERT INTO pixels (pixel_id, tenant_id, name, access_key_enc) VALUES ('p-ok', 't1', 'ok', 'k1'), ('p-dead', 't1', 'dead', 'k2'),
              ('p-old', 't1', 'old', 'k3'), ('p-expiring', 't1', 'expiring', 'k4'), ('p-off', 't2', 'off', 'k5'),
              ('p-store', 't1', 'store', 'k6')`,
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
       VALUES (${TENANT_OF_LANE}, $1,
               date_trunc('minute', now() - make_interval(mins => $4)), 'Lead', '', $2, 0, $3)`,
      [pixel, outcome, n, minutesAgo],
    );
  const queue = (pixel: string, minutesAgo: number, eventAgeSec = 60, event: object = {}) =>
    db.query(
      `INSERT INTO event_queue (pixel_id, tenant_id, event, event_name, event_time, enqueued_at)
       VALUES ($1, ${TENANT_OF_LANE}, $4::jsonb, 'Lead',
               extract(epoch FROM now())::int8 - $3, now() - make_interval(mins => $2))`,
      [pixel, minutesAgo, eventAgeSec, JSON.stringify(event)],
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
    // A store's purchase has 62 days: 10 days old is nowhere near.
    await queue('p-ok', 1, 10 * 24 * 3600, { action_source: 'physical_store' });
    await queue('p-store', 1, 61.5 * 24 * 3600, { action_source: 'physical_store' });
    await queue('p-off', 600);
    const found = (await createAlertsRepo(db).conditions()).map((c) => `${c.pixelId} ${c.kind}: ${c.detail}`).sort();
    assert.deepEqual(found, [
      'p-dead dead_letters: 20 of 70 events dead-lettered in 15 minutes',
      'p-expiring near_expiry: queued events are close to the limit after which Meta refuses them (7 days; 62 for physical_store)',
      'p-old queue_age: the oldest queued event waits for 20 minutes',
      'p-store near_expiry: queued events are close to the limit after which Meta refuses them (7 days; 62 for physical_store)',
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

  test('gateway destinations: each is a lane with the same conditions; only Meta ones expire', async () => {
    await db.query(`INSERT INTO tenants (id, name) VALUES ('t3', 'Gateway')`);
    await db.query(`INSERT INTO pixels (pixel_id, tenant_id, name, access_key_enc) VALUES ('p3', 't3', 'px', 'k6')`);
    await db.query(
      `INSERT INTO data_destinations (id, tenant_id, name, type, active, pixel_id, dataset_id, bad_token, http_config)
       VALUES ('sg_v1_dd_p3', 't3', 'Meta Dataset (p3)', 'META_CONVERSIONS_API', true, 'p3', 'p3', false, NULL),
              ('sg_v1_dd_down', 't3', 'Warehouse', 'CUSTOM_HTTP_API', true, NULL, NULL, false, '{}'),
              ('sg_v1_dd_slow', 't3', 'Slow', 'CUSTOM_HTTP_API', true, NULL, NULL, false, '{}'),
              ('sg_v1_dd_refusing', 't3', 'Strict', 'CUSTOM_HTTP_API', true, NULL, NULL, false, '{}'),
              ('sg_v1_dd_paused', 't3', 'Paused', 'CUSTOM_HTTP_API', false, NULL, NULL, false, '{}'),
              ('sg_v1_dd_meta', 't3', 'Dataset', 'META_CONVERSIONS_API', true, NULL, '999', true, NULL),
              ('sg_v1_dd_fine', 't3', 'Fine', 'CUSTOM_HTTP_API', true, NULL, NULL, false, '{}')`,
    );
    const alerts = createAlertsRepo(db);
    await alerts.save('t3', { ...DEFAULT_ALERT_SETTINGS, stallMinutes: 5, queueAgeMinutes: 10 });
    // Down: events waited 20 minutes, 6.5 days old, none published (no 7-day limit for HTTP).
    await queue('sg_v1_dd_down', 20, 6.5 * 24 * 3600);
    await queue('sg_v1_dd_down', 1);
    // Slow: waited long, but published 2 minutes ago: not stalled.
    await queue('sg_v1_dd_slow', 20);
    await count('sg_v1_dd_slow', 'published', 3, 2);
    // Refusing: 20 of 70 dead-lettered, and its queue moves.
    await count('sg_v1_dd_refusing', 'published', 50);
    await count('sg_v1_dd_refusing', 'dead_lettered', 20);
    await queue('sg_v1_dd_refusing', 1);
    // Paused (inactive): waiting is expected, only its age is reported.
    await queue('sg_v1_dd_paused', 20);
    // A Meta destination with its own token, rejected, holding events near Meta's 7 days.
    await queue('sg_v1_dd_meta', 1, 6.5 * 24 * 3600);
    await queue('sg_v1_dd_fine', 1);
    await count('sg_v1_dd_fine', 'published', 10);
    await count('sg_v1_dd_fine', 'dead_lettered', 9);
    // A pixel connection's destination is the pixel's lane, never a second one.
    await queue('p3', 1);
    await count('p3', 'published', 1);

    const found = (await alerts.conditions())
      .filter((c) => c.tenantId === 't3')
      .map((c) => `${c.pixelId} ${c.kind}: ${c.detail}`)
      .sort();
    assert.deepEqual(found, [
      'sg_v1_dd_down queue_age: the oldest queued event waits for 20 minutes',
      'sg_v1_dd_down stalled: 2 events waiting and none published for 5 minutes',
      'sg_v1_dd_meta near_expiry: queued events are close to the limit after which Meta refuses them (7 days; 62 for physical_store)',
      "sg_v1_dd_meta token_rejected: Meta rejects the destination's access token: events are held until it is replaced",
      'sg_v1_dd_paused queue_age: the oldest queued event waits for 20 minutes',
      'sg_v1_dd_refusing dead_letters: 20 of 70 events dead-lettered in 15 minutes',
      'sg_v1_dd_slow queue_age: the oldest queued event waits for 20 minutes',
    ]);
  });

  test("a destination's incidents name it; a pixel's do not; each account reads only its own", async () => {
    const alerts = createAlertsRepo(db);
    const down = await alerts.open({ tenantId: 't3', pixelId: 'sg_v1_dd_down', kind: 'stalled', detail: 'waits' });
    const pixel = await alerts.open({ tenantId: 't3', pixelId: 'p3', kind: 'queue_age', detail: 'waits' });
    assert.ok(down && pixel);
    const claimed = (await alerts.claimNotifications()).filter((n) => n.tenantId === 't3');
    assert.deepEqual(claimed.map((n) => [n.pixelId, n.state, n.destination]).sort(), [
      ['p3', 'firing', null],
      ['sg_v1_dd_down', 'firing', { id: 'sg_v1_dd_down', name: 'Warehouse', type: 'CUSTOM_HTTP_API' }],
    ]);
    assert.deepEqual(
      (await alerts.incidents('t3', 10)).map((i) => [i.id, i.destination?.name ?? null]),
      [
        [pixel, null],
        [down, 'Warehouse'],
      ],
    );
    assert.equal((await alerts.incidents('t1', 50)).filter((i) => i.tenantId !== 't1').length, 0);
    // Deleted, it is still named by its id; its conditions are gone, so the incident resolves.
    await db.query(`DELETE FROM data_destinations WHERE id = 'sg_v1_dd_down'`);
    assert.equal(
      (await alerts.conditions()).some((c) => c.pixelId === 'sg_v1_dd_down'),
      false,
    );
    assert.equal(await alerts.resolve(down), true);
    const [recovery] = (await alerts.claimNotifications()).filter((n) => n.id === down);
    assert.deepEqual(recovery?.destination, { id: 'sg_v1_dd_down', name: null, type: null });
  });
});
