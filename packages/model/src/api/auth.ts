/**
 * Who is using the panel, and what they did: `GET {path}/api/session`, `GET {path}/api/audit`,
 * and the `auth` section of `GET {path}/api/stats`.
 */

/**
 * What a login may do. `viewer`: read traces, metrics, logs, services, stats (the GET routes).
 * `debugger`: everything, that is also breakpoints, snapshots, logpoint output, CPU profiles,
 * source files, chaos and fault toggles, the audit log, and OTLP ingest.
 */
export type Role = 'viewer' | 'debugger';

/** How the request proved who it is. */
export type AuthVia = 'bearer' | 'cookie' | 'loopback';

/** `GET {path}/api/session`: the caller's own login. */
export interface SessionResponse {
  role: Role;
  /** First 8 hex digits of the token's SHA-256 (never the token); `loopback` without one */
  tokenId: string;
  via: AuthVia;
  /** When the session cookie expires (ms since epoch; it slides with use), null for bearer and loopback */
  expiresAt: number | null;
}

/** One line of the audit log: every mutation and every read of captured data (snapshots, profiles, sources). */
export interface AuditEntry {
  /** Increasing number of the entry in this panel's log */
  seq: number;
  /** ms since epoch */
  at: number;
  /** `METHOD /route/pattern`, e.g. `DELETE /api/breakpoints/:id` */
  action: string;
  /** The concrete path, e.g. `/api/breakpoints/bp_1` (query strings left out: they may hold secrets) */
  target: string;
  role: Role;
  /** Empty when the panel acted by itself */
  tokenId: string;
  /** `panel`: the panel acted by itself (a chaos rule expired, a rule pulled from the hub, a verdict) */
  via: AuthVia | 'panel';
  /** The client's socket address (empty when the panel acted by itself) */
  ip: string;
  /** The HTTP status answered; 0 when the connection closed first, and for the panel's own entries */
  status: number;
}

/** `GET {path}/api/audit[?after=seq&limit=n]`: the newest entries last. */
export interface AuditResponse {
  entries: AuditEntry[];
  /** Entries pushed out of the in-memory ring since start (the file keeps them until it rotates) */
  dropped: number;
}

/** The `auth` section of `GET {path}/api/stats`. */
export interface AuthStats {
  /** `token` (a token is always needed) or `loopback` (the `auth: 'loopback'` opt-in) */
  mode: 'token' | 'loopback';
  /** Where the debugger token came from */
  tokenSource: 'option' | 'file' | 'generated' | 'memory' | 'none';
  viewerToken: boolean;
  /** Live login sessions, and the bound past which the oldest is ended */
  sessions: number;
  maxSessions: number;
  sessionsCreated: number;
  sessionsExpired: number;
  /** Sessions ended early because the map was full */
  sessionsDropped: number;
  /** Wrong tokens on the login page / in a Bearer header */
  failedLogins: number;
  failedBearer: number;
  /** Attempts answered 429 because their client failed too often */
  throttled: number;
  /** Clients with a failure bucket, the bound, and buckets dropped because the map was full */
  clients: number;
  maxClients: number;
  clientsDropped: number;
  /** Requests refused for the debugger role (viewer logins) */
  forbidden: number;
  audit: { entries: number; capacity: number; dropped: number; written: number; writeErrors: number; rotations: number };
  /** Writes of the sessions file that failed */
  writeErrors: number;
}
