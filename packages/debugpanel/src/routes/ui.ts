/** `GET {path}/` and the UI's static files, under a strict Content-Security-Policy. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTENT_SECURITY_POLICY, sendError } from '../http.js';
import { StaticFiles } from '../static.js';
import type { PanelFeature } from './registry.js';

export const ui: PanelFeature = () => {
  const files = new StaticFiles();
  const serve = (req: IncomingMessage, res: ServerResponse, rel: string) => {
    const file = files.get(rel);
    if (!file) return sendError(res, 404, `no such panel file: ${rel.slice(0, 100)}`);
    res.setHeader('Content-Type', file.type);
    res.setHeader('ETag', file.etag);
    // Behind authentication, so `private`; index.html revalidates to pick up a new UI build.
    res.setHeader('Cache-Control', file.immutable ? 'private, max-age=31536000, immutable' : 'private, no-cache');
    if (file.type.startsWith('text/html')) res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    if (req.headers['if-none-match'] === file.etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.setHeader('Content-Length', file.body.length);
    res.statusCode = 200;
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };
  return [
    { method: 'GET', path: '/', handle: ({ req, res }) => serve(req, res, 'index.html') },
    { method: 'GET', path: '/assets/*', handle: ({ req, res, params }) => serve(req, res, `assets/${params['*']}`) },
    { method: 'GET', path: '/:file', handle: ({ req, res, params }) => serve(req, res, params.file!) },
  ];
};
