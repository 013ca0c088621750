/**
 * The web demo at `/`: static files bundled at build time (scripts/build-web.js writes dist/web: the
 * page, its script and style, and the sample images). Users never build anything; a checkout that has not
 * run the build answers `/` with a 404 that says how to build it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors';

/** dist/web of the package: lib/serve/routes and dist/serve/routes are both three levels below the root. */
export const WEB_ROOT = path.resolve(__dirname, '..', '..', '..', 'dist', 'web');

export function webRoutes(app: FastifyInstance, root = WEB_ROOT): void {
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    app.get('/', async () => {
      throw new HttpError(404, 'E_NOT_FOUND', 'the web demo is not built in this checkout: run `npm run build:web`');
    });
    return;
  }
  void app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false, // one route per file found now: nothing outside root is ever looked up
    index: ['index.html'],
    cacheControl: true,
    maxAge: '5m',
  });
}
