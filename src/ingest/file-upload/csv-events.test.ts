import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { type CsvItem, readCsvEvents } from './csv-events.js';
import { mapRow, parseEventTime, readHeader } from './csv-row.js';

async function read(text: string | string[], limits?: { maxRowChars: number; maxRows: number }): Promise<CsvItem[]> {
  const out: CsvItem[] = [];
  for await (const item of readCsvEvents(Readable.from(Array.isArray(text) ? text : [text]), limits)) out.push(item);
  return out;
}

const header = (line: string) => {
  const h = readHeader(line.split(','));
  if (!h.ok) throw new Error(h.message);
  return h.header;
};

describe('CSV file upload rows (C.9)', () => {
  test('EVENT_TIME: "YYYY-MM-DD HH:mm:ss" in UTC, epoch seconds, ISO 8601; anything else is refused', () => {
    assert.equal(parseEventTime('2025-03-01 12:30:05'), Date.UTC(2025, 2, 1, 12, 30, 5) / 1000);
    assert.equal(parseEventTime('1740832205'), 1740832205);
    assert.equal(parseEventTime('2025-03-01T12:30:05Z'), Date.UTC(2025, 2, 1, 12, 30, 5) / 1000);
    assert.equal(parseEventTime('2025-03-01T14:30:05+02:00'), Date.UTC(2025, 2, 1, 12, 30, 5) / 1000);
    assert.equal(parseEventTime('2025-03-01T12:30:05.123Z'), Date.UTC(2025, 2, 1, 12, 30, 5) / 1000);
    assert.equal(parseEventTime('2025-03-01'), Date.UTC(2025, 2, 1) / 1000);
    for (const bad of [
      '2025-02-30 10:00:00',
      '2025-13-01 00:00:00',
      '01/03/2025',
      'yesterday',
      '',
      '2025-03-01 25:00:00',
    ]) {
      assert.equal(parseEventTime(bad), null, bad);
    }
  });

  test('headers are trimmed and case-insensitive; unknown ones are warned about once', () => {
    const h = readHeader([' data_set_id', 'Event_Time ', 'EMAIL', 'shoe_size', 'custom_data.color', 'custom_data.a.b']);
    assert.equal(h.ok, true);
    if (!h.ok) return;
    assert.equal(h.header.index.get('DATA_SET_ID'), 0);
    assert.equal(h.header.index.get('EVENT_TIME'), 1);
    assert.deepEqual(h.header.custom, [['color', 4]]);
    assert.equal(h.header.warnings.length, 2);
    assert.match(h.header.warnings.join('\n'), /custom_data\.a\.b.*top-level/);
    assert.match(h.header.warnings.join('\n'), /unknown columns are ignored: shoe_size/);
    const missing = readHeader(['EVENT_TIME', 'EMAIL']);
    assert.equal(missing.ok, false);
    assert.match(missing.ok ? '' : missing.message, /no DATA_SET_ID column/);
  });

  test('a full row becomes a server event with raw customer information for the hash step', () => {
    const h = header(
      'DATA_SET_ID,EVENT_NAME,EVENT_TIME,ACTION_SOURCE,VALUE,CURRENCY,CONTENT_IDS,ORDER_ID,EMAIL,PHONE,FIRST_NAME,LAST_NAME,DOB,COUNTRY,STATE,CITY,ZIP,CLICK_ID,MAD_ID,EXTERNAL_ID,custom_data.store',
    );
    const r = mapRow(h, [
      '1234567890',
      'Purchase',
      '2025-03-01 12:00:00',
      '',
      '19.99',
      'eur',
      'sku1| sku2 |',
      'order-7',
      'Jane@Example.com',
      '+1 555 0100',
      'Jane',
      'Doe',
      '19900102',
      'US',
      'CA',
      'Palo Alto',
      '94301',
      'IwAR0abc',
      'mad-1',
      'ext-1',
      'Berlin',
    ]);
    assert.ok(r.ok);
    assert.equal(r.value.dataSetId, '1234567890');
    const t = Date.UTC(2025, 2, 1, 12) / 1000;
    assert.deepEqual(r.value.event, {
      event_name: 'Purchase',
      event_time: t,
      action_source: 'physical_store',
      event_id: 'order-7',
      user_data: {
        em: 'Jane@Example.com',
        ph: '+1 555 0100',
        fn: 'Jane',
        ln: 'Doe',
        db: '19900102',
        country: 'US',
        st: 'CA',
        ct: 'Palo Alto',
        zp: '94301',
        madid: 'mad-1',
        external_id: 'ext-1',
        fbc: `fb.1.${t * 1000}.IwAR0abc`,
      },
      custom_data: {
        store: 'Berlin',
        value: 19.99,
        currency: 'EUR',
        content_ids: ['sku1', 'sku2'],
        order_id: 'order-7',
      },
    });
  });

  test('defaults: Purchase with value 0 in USD from physical_store; the event_id is a hash of the row', () => {
    const h = header('DATA_SET_ID,EVENT_TIME,EMAIL');
    const a = mapRow(h, ['1', '1740832205', 'a@example.com']);
    const b = mapRow(header('EMAIL,EVENT_TIME,DATA_SET_ID'), ['a@example.com', '1740832205', '1']);
    assert.ok(a.ok && b.ok);
    assert.equal(a.value.event.event_name, 'Purchase');
    assert.equal(a.value.event.action_source, 'physical_store');
    assert.deepEqual(a.value.event.custom_data, { value: 0, currency: 'USD' });
    assert.match(String(a.value.event.event_id), /^csv_[0-9a-f]{64}$/);
    assert.equal(a.value.event.event_id, b.value.event.event_id, 'column order does not change the id');
    const c = mapRow(h, ['1', '1740832206', 'a@example.com']);
    assert.ok(c.ok);
    assert.notEqual(c.value.event.event_id, a.value.event.event_id);
  });

  test('bad rows get a reason and a message that names the column', () => {
    const h = header('DATA_SET_ID,EVENT_NAME,EVENT_TIME,VALUE,CURRENCY,CLICK_ID,LEAD_ID');
    const cases: Array<[string[], string, RegExp]> = [
      [['1', 'Purchase', '2025-03-01 12:00:00', '', ''], 'wrong_column_count', /5 columns; the header has 7/],
      [['', 'Purchase', '2025-03-01 12:00:00', '', '', '', ''], 'missing_data_set_id', /DATA_SET_ID is empty/],
      [['px', 'Purchase', '2025-03-01 12:00:00', '', '', '', ''], 'invalid_field', /DATA_SET_ID "px"/],
      [['1', 'Purchase', 'soon', '', '', '', ''], 'invalid_event_time', /EVENT_TIME "soon"/],
      [['1', 'Purchase', '2025-03-01 12:00:00', '1,50', '', '', ''], 'invalid_value', /VALUE "1,50"/],
      [['1', 'Purchase', '2025-03-01 12:00:00', '1', 'EURO', '', ''], 'invalid_value', /CURRENCY "EURO"/],
      [['1', 'Purchase', '2025-03-01 12:00:00', '', '', 'fb.x', ''], 'invalid_field', /CLICK_ID/],
      [['1', 'Lead', '2025-03-01 12:00:00', '', '', '', ''], 'missing_lead_id', /LEAD_ID is required/],
    ];
    for (const [cells, reason, detail] of cases) {
      const r = mapRow(h, cells);
      assert.equal(r.ok, false, cells.join(','));
      if (r.ok) continue;
      assert.equal(r.reason, reason, cells.join(','));
      assert.match(r.detail, detail);
    }
    const lead = mapRow(h, ['1', 'Lead', '2025-03-01 12:00:00', '', '', 'fb.1.1700000000000.abc', 'lead-9']);
    assert.ok(lead.ok);
    assert.equal(lead.value.event.custom_data && Object.keys(lead.value.event.custom_data as object).length, 0);
    assert.equal((lead.value.event.user_data as Record<string, string>).lead_id, 'lead-9');
  });

  test('the stream: BOM, CRLF, a quoted line break, blank lines; every row keeps its line number', async () => {
    const items = await read(
      '\ufeffDATA_SET_ID,EVENT_TIME,EMAIL,FIRST_NAME\r\n1,1740832205,a@example.com,A\r\n\r\n1,1740832206,b@example.com,"B\r\nb"\r\n1,oops,c@example.com,C\r\n,,,\r\n1,1740832207,d@example.com\r\n',
    );
    assert.deepEqual(
      items.map((i) => (i.kind === 'row' ? ['row', i.line] : i.kind === 'excluded' ? [i.reason, i.line] : [i.kind])),
      [
        ['row', 2],
        ['row', 4],
        ['invalid_event_time', 6],
        ['wrong_column_count', 8],
      ],
    );
  });

  test('a stray quote is kept as text; a quote never closed stops with the reason', async () => {
    const items = await read(
      'DATA_SET_ID,EVENT_TIME,EMAIL\n1,1740832205,a"x@example.com\n1,1740832206,b@example.com\n',
    );
    assert.deepEqual(
      items.map((i) => i.kind),
      ['row', 'row'],
    );
    assert.equal(items[0]?.kind === 'row' && (items[0].event.user_data as { em: string }).em, 'a"x@example.com');

    const open = await read(
      'DATA_SET_ID,EVENT_TIME,EMAIL\n1,1740832205,a@example.com\n1,1740832206,"b@example.com\n1,2,c\n',
    );
    assert.deepEqual(
      open.map((i) => i.kind),
      ['row', 'stopped'],
    );
    assert.match(open[1]?.kind === 'stopped' ? open[1].message : '', /never closed/);

    const long = await read(['DATA_SET_ID,EVENT_TIME,EMAIL\n1,1740832205,a@x.com\n1,2,"', 'x'.repeat(200)], {
      maxRowChars: 100,
      maxRows: 10,
    });
    assert.deepEqual(
      long.map((i) => i.kind),
      ['row', 'stopped'],
    );
    assert.match(long[1]?.kind === 'stopped' ? long[1].message : '', /longer than 100 characters/);
  });

  test('limits and bad headers stop the file with a clear message', async () => {
    const many = await read('DATA_SET_ID,EVENT_TIME,EMAIL\n1,1,a\n1,2,b\n1,3,c\n', { maxRowChars: 1000, maxRows: 2 });
    assert.deepEqual(
      many.map((i) => i.kind),
      ['row', 'row', 'stopped'],
    );
    assert.match(many[2]?.kind === 'stopped' ? many[2].message : '', /more than 2 rows/);
    const noHeader = await read('1,1740832205,a@example.com\n');
    assert.equal(noHeader[0]?.kind, 'stopped');
    assert.match(noHeader[0]?.kind === 'stopped' ? noHeader[0].message : '', /no DATA_SET_ID column/);
    const empty = await read('');
    assert.match(empty[0]?.kind === 'stopped' ? empty[0].message : '', /empty/);
    const warned = await read('DATA_SET_ID,EVENT_TIME,EMAIL,NOTE\n1,1740832205,a@example.com,hi\n');
    assert.deepEqual(
      warned.map((i) => i.kind),
      ['warning', 'row'],
    );
  });

  test('an error of the input stream is thrown, not swallowed', async () => {
    const input = new Readable({ read() {} });
    // The parser holds the last line until it sees what follows it.
    input.push('DATA_SET_ID,EVENT_TIME,EMAIL\n1,1740832205,a@example.com\n1,1740832206,b@example.com\n');
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const item of readCsvEvents(input)) {
        seen.push(item.kind);
        input.destroy(Object.assign(new Error('too large'), { code: 'TOO_LARGE' }));
      }
    }, /too large/);
    assert.deepEqual(seen, ['row']);
  });
});
