// express-session with the same four endpoints as bench/Satchel.BenchApp.
//   node server.js PORT [memory|redis|postgres] [STORE_PORT]   (the store server's port on 127.0.0.1)
const express = require('express');
const session = require('express-session');

const [port, store = 'memory', storePort = '6379'] = process.argv.slice(2);

async function main() {
  const options = {
    secret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 30 * 60 * 1000 },
  };
  if (store === 'redis') {
    const { createClient } = require('redis');
    const RedisStore = require('connect-redis').default;
    const client = createClient({ url: `redis://127.0.0.1:${storePort}` });
    await client.connect();
    options.store = new RedisStore({ client, prefix: 'bench:express:' });
  } else if (store === 'postgres') {
    const { Pool } = require('pg');
    const PgStore = require('connect-pg-simple')(session);
    const pool = new Pool({ host: '127.0.0.1', port: Number(storePort), user: 'satchel', database: 'postgres', max: 20 });
    options.store = new PgStore({ pool, tableName: 'express_sessions', createTableIfMissing: true });
  } else if (store !== 'memory') {
    throw new Error(`express-session has no ${store} store here: use memory, redis or postgres`);
  }
  const app = express();
  app.disable('x-powered-by');
  app.get('/bare', (req, res) => res.send('ok'));
  app.use(session(options));
  app.get('/login', (req, res) => { req.session.user = 'user-42'; req.session.hits = 0; res.send('ok'); });
  app.get('/read', (req, res) => res.send(req.session.user || 'none'));
  app.get('/hit', (req, res) => { req.session.hits = (req.session.hits || 0) + 1; res.send(String(req.session.hits)); });
  app.listen(Number(port), '127.0.0.1');
}

main().catch((err) => { console.error(err); process.exit(1); });
