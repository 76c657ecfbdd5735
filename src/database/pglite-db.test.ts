import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPgliteDb, type PgliteDb } from './pglite-db.js';

// The worker runs repeated parameterized statements as EXECUTE of a prepared statement with the
// values written as literals. Whatever path a value takes, it must arrive exactly as sent.

describe('PGlite statements', () => {
  let db: PgliteDb;
  before(async () => {
    db = await openPgliteDb(null);
    await db.exec('CREATE TABLE t (id int8 PRIMARY KEY, s text, n float8, b boolean, j jsonb)');
  });
  after(() => db.close());

  const insert = 'INSERT INTO t (id, s, n, b, j) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id, s, n, b, j';

  test('values round-trip exactly, however often the statement runs', async () => {
    const strings = ["it's", "''; DROP TABLE t; --", 'back\\slash', '$1 $$ dollar', 'ünïcödé ✓', '', 'a\nb'];
    for (const [i, s] of strings.entries()) {
      const j = JSON.stringify({ s, nested: { quote: "'" } });
      const [row] = await db.query<Record<string, unknown>>(insert, [i + 1, s, -1.5e-7 * (i + 1), i % 2 === 0, j]);
      assert.deepEqual(row, { id: i + 1, s, n: -1.5e-7 * (i + 1), b: i % 2 === 0, j: { s, nested: { quote: "'" } } });
    }
    const [count] = await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM t WHERE id > $1', [0]);
    assert.equal(count?.n, strings.length);
  });

  test('nulls, large integers and a NUL character', async () => {
    const [row] = await db.query<Record<string, unknown>>(insert, [100, null, null, null, null]);
    assert.deepEqual(row, { id: 100, s: null, n: null, b: null, j: null });
    const big = Number.MAX_SAFE_INTEGER;
    const [bigRow] = await db.query<{ id: number }>(insert, [big, 'x', 1, true, '{}']);
    assert.equal(bigRow?.id, big);
    // PostgreSQL text cannot hold NUL: the database's own error, not a mangled statement.
    await assert.rejects(db.query(insert, [101, 'a\u0000b', 1, true, '{}']));
    const [gone] = await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM t WHERE id = $1', [101]);
    assert.equal(gone?.n, 0);
  });

  test('many different statements used for the first time at once all run', async () => {
    // Each text is new to the worker. An open transaction holds PGlite, so all of them arrive while
    // none has been prepared yet (as when a group commit runs and the control plane writes).
    const texts = Array.from({ length: 40 }, (_, i) => `SELECT $1::int8 + ${i} AS v, $2::text AS s`);
    const busy = db.transaction(async (sql) => {
      await sql.query('SELECT 1');
      await new Promise((r) => setTimeout(r, 50));
    });
    const rows = await Promise.all(texts.map((t, i) => db.query<{ v: number; s: string }>(t, [i, `s${i}`])));
    await busy;
    assert.deepEqual(
      rows.map((r) => r[0]),
      texts.map((_, i) => ({ v: 2 * i, s: `s${i}` })),
    );
    // And again, now that they are prepared: every text keeps its own statement.
    const again = await Promise.all(
      texts.map((t, i) => db.query<{ v: number }>(t, [100, 'x']).then((r) => r[0]?.v === 100 + i)),
    );
    assert.ok(again.every(Boolean));
  });

  test('a statement that fails to prepare fails, and its text can run once fixed', async () => {
    await assert.rejects(db.query('SELECT $1::int8 FROM no_such_table', [1]), { code: '42P01' });
    await db.exec('CREATE TABLE no_such_table (x int)');
    assert.deepEqual(await db.query('SELECT $1::int8 AS v FROM no_such_table', [1]), []);
  });

  test('errors keep their SQLSTATE code', async () => {
    await db.query(insert, [200, 'a', 1, true, '{}']);
    await assert.rejects(db.query(insert, [200, 'a', 1, true, '{}']), (err: Error & { code?: string }) => {
      assert.equal(err.code, '23505');
      return true;
    });
  });
});
