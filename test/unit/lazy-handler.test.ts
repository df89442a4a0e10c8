import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { lazyHandler } from '../../src/lazy-handler';

/** lazyHandler (issue 18): the console and WeCom callbacks are built on their first request only. */
describe('lazyHandler', () => {
  function appWith(load: () => RequestHandler) {
    const app = express();
    app.use('/lazy', lazyHandler(load));
    app.get('/other', (_req, res) => res.send('other'));
    app.use(((err, _req, res, _next) => res.status(500).send(`error: ${(err as Error).message}`)) as express.ErrorRequestHandler);
    return app;
  }

  it('builds the handler on the first request to it, once, and never for other paths', async () => {
    let builds = 0;
    const app = appWith(() => {
      builds++;
      return (req, res) => res.send(`lazy ${req.path}`);
    });
    expect((await request(app).get('/other')).text).toBe('other');
    expect(builds).toBe(0);
    expect((await request(app).get('/lazy/a')).text).toBe('lazy /a');
    expect((await request(app).get('/lazy/b')).text).toBe('lazy /b');
    expect(builds).toBe(1);
  });

  it('answers 500 when building fails, and builds again on the next request', async () => {
    let builds = 0;
    const app = appWith(() => {
      if (++builds === 1) throw new Error('module failed to load');
      return (_req, res) => res.send('ok');
    });
    const first = await request(app).get('/lazy/');
    expect(first.status).toBe(500);
    expect(first.text).toBe('error: module failed to load');
    expect((await request(app).get('/lazy/')).text).toBe('ok');
    expect(builds).toBe(2);
  });
});
