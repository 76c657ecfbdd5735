import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { gatewayPixelHeaderCode } from './pixel-sdk.js';

// The header code an advertiser pastes into their pages: it must define the cbq stub, load our tag
// from the gateway and queue setHost / init / PageView, whatever the values it embeds contain.

/** Runs the snippet's script in a minimal page; answers the stub's queue and the script it inserted. */
function runSnippet(html: string) {
  const script = /<script>\n([\s\S]*)\n<\/script>/.exec(html)?.[1];
  assert.ok(script, 'one inline <script>');
  const inserted: Array<Record<string, unknown>> = [];
  const first = { parentNode: { insertBefore: (el: Record<string, unknown>) => inserted.push(el) } };
  const document = {
    createElement: (tag: string) => ({ tag }),
    getElementsByTagName: () => [first],
  };
  const window: Record<string, any> = {};
  runInNewContext(script, { window, document, cbq: (...a: unknown[]) => window.cbq(...a) });
  // Through JSON: arrays made in the script's realm are not deepEqual to this realm's.
  const queue: unknown[][] = JSON.parse(
    JSON.stringify(Array.from(window.cbq.queue, (args: ArrayLike<unknown>) => Array.from(args))),
  );
  return { window, queue, inserted };
}

describe('gatewayPixelHeaderCode', () => {
  test('defines the cbq stub, loads the tag async and queues setHost, init and PageView', () => {
    const html = gatewayPixelHeaderCode({ sourceId: '1234567890123456789', endpoint: 'https://capig.shop.example/' });
    const { window, queue, inserted } = runSnippet(html);
    assert.equal(window.cbq.version, '2.0');
    assert.equal(window.cbq.push, window.cbq, 'push is the stub itself, like fbq');
    assert.deepEqual(inserted, [
      { tag: 'script', async: true, src: 'https://capig.shop.example/sdk/1234567890123456789/events.js' },
    ]);
    assert.deepEqual(queue, [
      ['setHost', 'https://capig.shop.example/'],
      ['init', '1234567890123456789'],
      ['track', 'PageView'],
    ]);
  });

  test('a page that already has cbq keeps it (the snippet twice loads the tag once)', () => {
    const html = gatewayPixelHeaderCode({ sourceId: '1234567890123456789', endpoint: 'https://gw.example' });
    const script = /<script>\n([\s\S]*)\n<\/script>/.exec(html)?.[1] ?? '';
    const calls: unknown[][] = [];
    const window: Record<string, any> = { cbq: (...a: unknown[]) => calls.push(a) };
    runInNewContext(script, { window, document: {}, cbq: window.cbq });
    assert.deepEqual(calls, [
      ['setHost', 'https://gw.example/'],
      ['init', '1234567890123456789'],
      ['track', 'PageView'],
    ]);
  });

  test('values are escaped: nothing ends the script, and they arrive as given', () => {
    const endpoint = 'https://gw.example/x"</script><script>alert(1)</script>\u2028$&\'';
    const sourceId = '12"</script>';
    const html = gatewayPixelHeaderCode({ sourceId, endpoint });
    assert.equal(html.split('</script>').length, 2, 'only the closing tag of the snippet itself');
    assert.ok(!html.includes('\u2028'));
    const { queue, inserted } = runSnippet(html);
    assert.deepEqual(queue[0], ['setHost', `${endpoint}/`]);
    assert.deepEqual(queue[1], ['init', sourceId]);
    assert.equal(inserted[0]?.src, `${endpoint}/sdk/${encodeURIComponent(sourceId)}/events.js`);
  });
});
