import { PGlite } from '@electric-sql/pglite';
let t=Date.now();
const a = await PGlite.create(); await a.exec('create table x(a int)');
const blob = await a.dumpDataDir('none'); console.log('create+dump', Date.now()-t, blob.size);
t=Date.now(); const b = await PGlite.create({loadDataDir: blob}); console.log('load', Date.now()-t, (await b.query('select count(*) from x')).rows);
