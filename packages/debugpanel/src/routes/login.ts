/**
 * `GET/POST {path}/login`: a form that trades the token for an HttpOnly, SameSite=Strict session
 * cookie, so a browser can use the panel without putting the token in a URL.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTENT_SECURITY_POLICY, escapeHtml, readBody, sendError } from '../http.js';
import { COOKIE_NAME, isSameOrigin } from '../security.js';
import type { PanelFeature } from './registry.js';

export const login: PanelFeature = ({ access, options }) => {
  const page = (res: ServerResponse, status: number, message?: string) => {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>debugpanel: log in</title></head>
<body><h1>debugpanel</h1>${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="./login"><label>Token <input name="token" type="password" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button></form></body></html>`;
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.end(html);
  };
  const secure = (req: IncomingMessage) => (req.socket as { encrypted?: boolean }).encrypted === true;

  return [
    {
      method: 'GET',
      path: '/login',
      public: true,
      handle({ res }) {
        if (!access.hasToken) return page(res, 200, 'No token is configured: this panel answers loopback clients without logging in.');
        page(res, 200);
      },
    },
    {
      method: 'POST',
      path: '/login',
      public: true,
      async handle({ req, res }) {
        if (!access.hasToken) return sendError(res, 404, 'no token is configured, there is nothing to log in to');
        // Login CSRF: another site must not be able to log the browser into this panel.
        if (!isSameOrigin(req)) return sendError(res, 403, 'cross-site request refused');
        const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/x-www-form-urlencoded') {
          return sendError(res, 415, 'send the token as application/x-www-form-urlencoded (token=...)');
        }
        const body = await readBody(req, 4096);
        const token = new URLSearchParams(body).get('token') ?? '';
        if (!access.tokenMatches(token)) return page(res, 401, 'Wrong token.');
        const cookie = [
          `${COOKIE_NAME}=${access.sessionValue()}`,
          // Mounted under a sub-app, the panel lives at baseUrl + path
          `Path=${((req as { baseUrl?: string }).baseUrl ?? '') + options.path}`,
          'HttpOnly',
          'SameSite=Strict',
          'Max-Age=43200',
          ...(secure(req) ? ['Secure'] : []),
        ].join('; ');
        res.setHeader('Set-Cookie', cookie);
        res.statusCode = 303;
        res.setHeader('Location', './');
        res.end();
      },
    },
  ];
};
