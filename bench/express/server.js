// express-session with the same four endpoints as bench/Satchel.BenchApp.
//   node server.js PORT [memory|redis] [REDIS_PORT]
const express = require('express');
const session = require('express-session');

const [port, store = 'memory', redisPort = '6379'] = process.argv.slice(2);

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
    const client = createClient({ url: `redis://127.0.0.1:${redisPort}` });
    await client.connect();
    options.store = new RedisStore({ client, prefix: 'bench:express:' });
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
