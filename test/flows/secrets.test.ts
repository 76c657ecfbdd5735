import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serverEvent, startTestGateway, type TestGateway, waitFor } from '../harness.js';

// Access tokens are encrypted at rest and never written to a log or an error message.
describe('secrets', () => {
  let gw: TestGateway;
  const logLines: string[] = [];
  before(async () => {
    gw = await startTestGateway({ env: { LOG_LEVEL: 'debug' }, logLines });
  });
  after(() => gw.stop());

  test('a rejected token is not in the database in clear, nor in any log line', async () => {
    const token = 'EAAB-very-secret-token-0123456789';
    const px = await gw.addPixel({ token });
    gw.fake.revokeToken(token);
    await gw.postServer(px.pixelId, { data: [serverEvent()] }, px.accessKey);
    await waitFor(async () => {
      const [row] = await gw.gateway.db.query<{ bad_token: boolean }>(
        'SELECT bad_token FROM pixels WHERE pixel_id = $1',
        [px.pixelId],
      );
      return row?.bad_token === true;
    }, 'token marked bad');
    const rows = await gw.gateway.db.query<Record<string, unknown>>('SELECT * FROM pixels WHERE pixel_id = $1', [
      px.pixelId,
    ]);
    const stored = JSON.stringify(rows);
    assert.ok(!stored.includes(token), 'the token is stored encrypted');
    assert.ok(!stored.includes(px.accessKey), 'the server-events key is stored encrypted');
    assert.ok(logLines.length > 0, 'the gateway did log');
    // The pixel is marked before the line is written.
    await waitFor(() => logLines.some((l) => l.includes('publishing held')), 'the failure was logged');
    for (const line of logLines) {
      assert.ok(!line.includes(token), `a log line contains the token: ${line}`);
      assert.ok(!line.includes(px.accessKey), `a log line contains the access key: ${line}`);
    }
  });
});
