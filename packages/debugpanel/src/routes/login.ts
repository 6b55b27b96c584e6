/**
 * `GET {path}/login?token=...` (the one-click URL the panel prints at start), `GET {path}/login`
 * (a form) and `POST {path}/login` (its submission) trade a token for a login session: an
 * HttpOnly, SameSite=Strict cookie holding a random session id, then a 303 to the panel, so the
 * token leaves the address bar. Wrong tokens are throttled per client (429 with Retry-After).
 * `POST {path}/logout` ends the session.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTENT_SECURITY_POLICY, escapeHtml, readBody, sendError } from '../http.js';
import { cookieName } from '../access.js';
import { isSameOrigin, readCookie } from '../security.js';
import type { PanelFeature } from './registry.js';

export const login: PanelFeature = ({ access, options }) => {
  const page = (res: ServerResponse, status: number, message?: string) => {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>debugpanel: log in</title></head>
<body><h1>debugpanel</h1>${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="./login"><label>Token <input name="token" type="password" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button></form>
<p>The token is in the line <code>debugpanel: open …/login?token=…</code> that the app printed at start, in <code>DEBUGPANEL_TOKEN</code>, or in the panel's data folder (<code>.debugpanel/token</code>).</p></body></html>`;
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.end(html);
  };
  const secure = (req: IncomingMessage) => (req.socket as { encrypted?: boolean }).encrypted === true;
  // Mounted under a sub-app, the panel lives at baseUrl + path
  const cookiePath = (req: IncomingMessage) => ((req as { baseUrl?: string }).baseUrl ?? '') + options.path;
  const cookie = (req: IncomingMessage, value: string, maxAge: number) =>
    [`${cookieName(req)}=${value}`, `Path=${cookiePath(req)}`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAge}`, ...(secure(req) ? ['Secure'] : [])].join('; ');

  const attempt = (req: IncomingMessage, res: ServerResponse, token: string) => {
    const r = access.login(req, token);
    if (!r.ok) {
      if (r.status === 429) {
        res.setHeader('Retry-After', String(r.retryAfter));
        return page(res, 429, `Too many wrong tokens from this address; try again in ${r.retryAfter} s.`);
      }
      return page(res, 401, 'Wrong token.');
    }
    res.setHeader('Set-Cookie', cookie(req, r.id, Math.floor(access.sessions.ttlMs / 1000)));
    res.statusCode = 303;
    res.setHeader('Location', './');
    res.setHeader('Cache-Control', 'no-store');
    res.end();
  };

  return [
    {
      method: 'GET',
      path: '/login',
      public: true,
      handle({ req, res, query }) {
        if (!access.hasToken) return page(res, 200, "No token is configured (auth: 'loopback'): this panel answers clients on this machine without logging in.");
        const token = query.get('token');
        // The token is in the URL only for this one request: the answer moves it into the cookie.
        if (token !== null) return attempt(req, res, token);
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
        attempt(req, res, new URLSearchParams(body).get('token') ?? '');
      },
    },
    {
      method: 'POST',
      path: '/logout',
      public: true,
      handle({ req, res }) {
        if (!isSameOrigin(req)) return sendError(res, 403, 'cross-site request refused');
        const id = readCookie(req.headers.cookie, cookieName(req));
        if (id !== undefined) access.sessions.delete(id);
        res.setHeader('Set-Cookie', cookie(req, '', 0));
        res.statusCode = 303;
        res.setHeader('Location', './login');
        res.setHeader('Cache-Control', 'no-store');
        res.end();
      },
    },
  ];
};
