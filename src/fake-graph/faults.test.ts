import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type FakeGraph, startFakeGraph } from './fake-graph-server.js';

const TOKEN = 'EAAfaults';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function event(name = 'Purchase'): Record<string, unknown> {
  return {
    event_name: name,
    event_time: Math.floor(Date.now() / 1000),
    action_source: 'website',
    user_data: { em: sha('a@example.com') },
  };
}

describe('fault injection', () => {
  let fake: FakeGraph;
  const send = (pixel: string, events: unknown[] = [event()]) =>
    fetch(`${fake.url}/v26.0/${pixel}/events?access_token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: events }),
    });
  const errorOf = async (res: Response) => ((await res.json()) as { error: Record<string, unknown> }).error;

  before(async () => {
    fake = await startFakeGraph();
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  it('applies a graph_error to one pixel only and expires after `times`', async () => {
    fake.addFault({ pixel_id: '1', kind: 'graph_error', code: 2, times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await send('1');
      assert.equal(res.status, 500);
      const err = await errorOf(res);
      assert.deepEqual([err.code, err.is_transient, err.type], [2, true, 'OAuthException']);
      assert.equal(typeof err.fbtrace_id, 'string');
      assert.equal((await send('2')).status, 200, 'other pixels are unaffected');
    }
    assert.equal((await send('1')).status, 200);
    assert.deepEqual(fake.faults(), []);
    assert.equal(fake.stats().byPixel['1']?.eventsRejected, 2);
    assert.equal(fake.stats().byPixel['1']?.eventsAccepted, 1);
  });

  it('expires rules after duration_ms', async () => {
    fake.addFault({ kind: 'graph_error', code: 1, duration_ms: 80 });
    assert.equal((await send('1')).status, 500);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await send('1')).status, 200);
  });

  it('sends throttling codes as 400 with X-Business-Use-Case-Usage', async () => {
    fake.addFault({ kind: 'graph_error', code: 80004, subcode: 2446079, estimated_time_to_regain_access: 5 });
    const res = await send('1');
    assert.equal(res.status, 400);
    const err = await errorOf(res);
    assert.deepEqual([err.code, err.error_subcode, err.is_transient], [80004, 2446079, true]);
    const usage = JSON.parse(res.headers.get('x-business-use-case-usage') ?? '{}') as Record<string, unknown[]>;
    const [entry] = Object.values(usage)[0] as Array<{ estimated_time_to_regain_access: number }>;
    assert.equal(entry?.estimated_time_to_regain_access, 5);
  });

  it('lets a rule choose a non-transient code and explicit status', async () => {
    fake.addFault({ kind: 'graph_error', code: 190, subcode: 460, status: 401, times: 1 });
    const res = await send('1');
    assert.equal(res.status, 401);
    const err = await errorOf(res);
    assert.deepEqual([err.code, err.error_subcode, err.is_transient], [190, 460, false]);
  });

  it('answers http_status faults with a bare HTML page', async () => {
    fake.addFault({ kind: 'http_status', status: 502, times: 1 });
    const res = await send('1');
    assert.equal(res.status, 502);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await res.text(), /<html/);
  });

  it('adds latency before answering normally', async () => {
    fake.addFault({ kind: 'latency', latency_ms: 150, times: 1 });
    const started = Date.now();
    const res = await send('1');
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started >= 140);
    assert.equal(fake.events().length, 1);
  });

  it('hangs without answering until the client gives up', async () => {
    fake.addFault({ kind: 'hang', times: 1 });
    await assert.rejects(
      fetch(`${fake.url}/v26.0/1/events?access_token=${TOKEN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: [event()] }),
        signal: AbortSignal.timeout(150),
      }),
      /TimeoutError|aborted/i,
    );
    assert.equal(fake.requests().at(-1)?.status, 0);
    assert.equal((await send('1')).status, 200);
  });

  it('drops the connection', async () => {
    fake.addFault({ kind: 'drop_connection', times: 1 });
    await assert.rejects(send('1'), /fetch failed/);
    assert.equal((await send('1')).status, 200);
  });

  it('makes a pixel unknown for events and pixel reads', async () => {
    fake.addFault({ pixel_id: '9', kind: 'unknown_pixel' });
    const err = await errorOf(await send('9'));
    assert.deepEqual([err.code, err.error_subcode, err.type], [100, 33, 'GraphMethodException']);
    assert.match(String(err.message), /^Unsupported post request\. Object with ID '9' does not exist/);
    const read = await errorOf(await fetch(`${fake.url}/v26.0/9?access_token=${TOKEN}`));
    assert.equal(read.error_subcode, 33);
    assert.equal((await send('8')).status, 200);
  });

  it('fails exactly the batches that contain a poison event (bisection)', async () => {
    fake.addFault({ kind: 'graph_error', code: 100, match_event_name: 'Poison' });
    const batch = [event(), event('Poison'), event(), event()];
    const whole = await send('1', batch);
    assert.equal(whole.status, 400);
    const err = await errorOf(whole);
    assert.deepEqual([err.code, err.is_transient], [100, false]);
    assert.equal((await send('1', batch.slice(0, 1))).status, 200);
    assert.equal((await send('1', batch.slice(1, 2))).status, 400);
    assert.equal((await send('1', batch.slice(2))).status, 200);
    assert.equal(fake.events().length, 3);
  });

  it('is managed over the control API too', async () => {
    const post = (body: unknown) =>
      fetch(`${fake.url}/_fake/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await post({ pixel_id: '1', kind: 'graph_error', code: 613 });
    assert.equal(created.status, 200);
    const { id } = (await created.json()) as { id: string };
    assert.equal((await errorOf(await send('1'))).code, 613);
    const listed = (await (await fetch(`${fake.url}/_fake/faults`)).json()) as {
      faults: Array<{ id: string }>;
    };
    assert.deepEqual(
      listed.faults.map((f) => f.id),
      [id],
    );
    assert.equal((await fetch(`${fake.url}/_fake/faults/${id}`, { method: 'DELETE' })).status, 200);
    assert.equal((await send('1')).status, 200);
    assert.equal((await fetch(`${fake.url}/_fake/faults/${id}`, { method: 'DELETE' })).status, 404);

    assert.equal((await post({ kind: 'explode' })).status, 400);
    assert.equal((await post({ kind: 'latency', latency_ms: -1 })).status, 400);
    assert.throws(() => fake.addFault({ kind: 'nope' as 'hang' }), /Invalid fault rule/);

    await post({ kind: 'graph_error', code: 2 });
    assert.equal((await fetch(`${fake.url}/_fake/faults`, { method: 'DELETE' })).status, 200);
    assert.equal((await send('1')).status, 200);
  });

  it('reset() clears faults', async () => {
    fake.addFault({ kind: 'graph_error' });
    fake.reset();
    assert.equal((await send('1')).status, 200);
  });
});

describe('hanging requests and close()', () => {
  it('close() ends hanging requests', async () => {
    const fake = await startFakeGraph();
    fake.addFault({ kind: 'hang' });
    const pending = fetch(`${fake.url}/v26.0/1/events?access_token=${TOKEN}`, {
      method: 'POST',
      body: JSON.stringify({ data: [event()] }),
    });
    await new Promise((r) => setTimeout(r, 50));
    await fake.close();
    await assert.rejects(pending);
  });
});
