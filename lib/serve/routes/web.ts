/**
 * The web demo at `/`: static files bundled at build time (scripts/build-web.js writes dist/web: the
 * page, its script and style, the sample images). Users never build anything; a checkout that has not
 * run the build answers `/` with a 404 that says how to build it.
 *
 * The handful of files is read once into memory and served by exact path (no file system lookup per
 * request, so no path can reach outside dist/web), with an ETag for revalidation. @fastify/static was
 * the first choice, but its current release pulls in an ESM-only dependency that neither jest nor Node
 * before 20.19 can require.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors';

/** dist/web of the package: lib/serve/routes and dist/serve/routes are both three levels below the root. */
export const WEB_ROOT = path.resolve(__dirname, '..', '..', '..', 'dist', 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The page loads only its own script, style and images, talks only to this server, and runs no inline
 * script: a strict policy costs nothing and limits what an injected string could do.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
].join('; ');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function readAssets(root: string, prefix = ''): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const entry of fs.readdirSync(path.join(root, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      for (const [key, asset] of readAssets(root, relative)) assets.set(key, asset);
    } else if (entry.isFile() && TYPES[path.extname(entry.name)]) {
      const body = fs.readFileSync(path.join(root, relative));
      const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`;
      assets.set(`/${relative}`, { body, type: TYPES[path.extname(entry.name)], etag });
    }
  }
  return assets;
}

export function webRoutes(app: FastifyInstance, root = WEB_ROOT): void {
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    app.get('/', async () => {
      throw new HttpError(404, 'E_NOT_FOUND', 'the web demo is not built in this checkout: run `npm run build:web`');
    });
    return;
  }
  const assets = readAssets(root);
  assets.set('/', assets.get('/index.html')!);
  for (const [url, asset] of assets) {
    app.get(url, async (request, reply) => {
      void reply
        .header('etag', asset.etag)
        // The page revalidates (it names its script and style without hashes); samples may be cached.
        .header('cache-control', asset.type.startsWith('image/') ? 'public, max-age=3600' : 'no-cache')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .type(asset.type);
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.send(asset.body);
    });
  }
}
