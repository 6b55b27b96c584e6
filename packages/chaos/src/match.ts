/**
 * A rule's scope, compiled once when the rule is made: the per-call check is a few string
 * comparisons and at most one prepared regular expression, never a parse.
 */
import type { ChaosScope, FaultHeaders } from '@debugpanel/model';
import { splitHeader } from './validate.js';

export interface ScopeMatcher {
  method: string | undefined;
  route: RegExp | undefined;
  host: string | undefined;
  port: number | undefined;
  statement: RegExp | undefined;
  fingerprint: string | undefined;
  headerName: string | undefined;
  headerValue: string | undefined;
}

const SPECIAL = /[.*+?^${}()|[\]\\]/g;

/**
 * `/orders/:id` -> one segment per `:name`; a trailing `/*` (or `*`) matches the rest; a trailing
 * slash on the path is allowed. The query is never part of the match.
 */
export function routePattern(template: string): RegExp {
  let body = '';
  const parts = template.split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i > 0) body += '/';
    if (part === '*' && i === parts.length - 1) {
      body = body.slice(0, -1) + '(?:/.*)?';
      continue;
    }
    if (part.startsWith(':') && part.length > 1) body += '[^/]+';
    else body += part.replace(SPECIAL, '\\$&').replace(/\\\*/g, '[^/]*');
  }
  return new RegExp(`^${body}/?$`);
}

export function compileScope(scope: ChaosScope): ScopeMatcher {
  let host: string | undefined;
  let port: number | undefined;
  if (scope.host !== undefined) {
    const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(scope.host.toLowerCase());
    host = m?.[1] ?? scope.host.toLowerCase();
    port = m?.[2] !== undefined ? Number(m[2]) : undefined;
  }
  const [headerName, headerValue] = scope.header !== undefined ? splitHeader(scope.header) : [undefined, undefined];
  return {
    method: scope.method?.toUpperCase(),
    route: scope.route !== undefined ? routePattern(scope.route) : undefined,
    host,
    port,
    statement: scope.statement !== undefined ? new RegExp(scope.statement.replace(SPECIAL, '\\$&'), 'i') : undefined,
    fingerprint: scope.fingerprint?.toLowerCase(),
    headerName,
    headerValue,
  };
}

export function headerMatches(m: ScopeMatcher, headers: FaultHeaders | undefined): boolean {
  if (m.headerName === undefined) return true;
  if (headers === undefined) return false;
  const v = headers[m.headerName];
  if (v === undefined) return false;
  if (m.headerValue === undefined) return true;
  return Array.isArray(v) ? v.some((x) => x.trim() === m.headerValue) : v.trim() === m.headerValue;
}

/** The path of `path?query` without allocating when there is no query. */
export function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}
