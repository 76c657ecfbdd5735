import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadMigrations, migrate } from '../../src/database/migrate.js';
import { openPostgresDb } from '../../src/database/postgres-db.js';
import { createTestDatabase, openTestDatabase, TEST_DATABASE_URL } from '../harness.js';

test('migrations apply once: a second run finds nothing to do', async () => {
  const { db, close } = await openTestDatabase();
  try {
    assert.deepEqual(await migrate(db), []);
    const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      rows.map((r) => r.version),
      (await loadMigrations()).map((m) => m.version),
    );
  } finally {
    await close();
  }
});

test('instances booting at once on one PostgreSQL migrate it exactly once', async () => {
  const database = await createTestDatabase(TEST_DATABASE_URL);
  const instances = [1, 2, 3, 4].map(() => openPostgresDb(database.url, { max: 2 }));
  try {
    const applied = await Promise.all(instances.map((db) => migrate(db)));
    const all = (await loadMigrations()).map((m) => m.name);
    assert.deepEqual(applied.flat().sort(), all.sort(), 'each migration applied by exactly one instance');
    const [row] = await instances[0]!.query<{ n: number }>('SELECT count(*)::int8 AS n FROM schema_migrations');
    assert.equal(row?.n, all.length);
  } finally {
    await Promise.all(instances.map((db) => db.close()));
    await database.drop();
  }
});
