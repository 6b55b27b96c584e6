import type { Attributes, SpanRecord } from '@debugpanel/model';
import type { MapNodeKind } from './types.js';

/** The node a client span calls when no server span answers it. */
export interface PeerNode {
  id: string;
  name: string;
  kind: MapNodeKind;
  system?: string;
}

export const USER_NODE_ID = 'user';

export function serviceNodeId(service: string): string {
  return `svc:${service}`;
}

function str(attrs: Attributes, key: string): string | undefined {
  const v = attrs[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function hostOfUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Names the virtual node an unpaired client (or producer) span calls, from current and older
 * OTel semantic conventions:
 * - a database (`db.system.name` / `db.system`), named by `db.namespace` / `db.name`, else the
 *   server address, else the system; an in-memory one (`:memory:`) per calling service;
 * - an uninstrumented service named by `peer.service` (the same node as the service once it
 *   reports spans of its own);
 * - a message destination (`messaging.system` + `messaging.destination.name`);
 * - an external host: `server.address[:server.port]` (port left out for 80 and 443), else
 *   `net.peer.name`, else the host of `url.full` / `http.url`;
 * - else `ext:unknown`.
 */
export function peerOf(span: SpanRecord): PeerNode {
  const a = span.attributes ?? {};
  const system = str(a, 'db.system.name') ?? str(a, 'db.system');
  const address = str(a, 'server.address') ?? str(a, 'net.peer.name');
  if (system !== undefined) {
    const name = str(a, 'db.namespace') ?? str(a, 'db.name') ?? address ?? system;
    // An in-memory database lives inside the calling process: two services' `:memory:` databases
    // are two nodes, not one.
    if (name === ':memory:') {
      return { id: `db:${system}:${span.service}/:memory:`, name: `${span.service} ${name}`, kind: 'database', system };
    }
    return { id: `db:${system}:${name}`, name, kind: 'database', system };
  }
  const peer = str(a, 'peer.service');
  if (peer !== undefined) return { id: serviceNodeId(peer), name: peer, kind: 'service' };
  const msys = str(a, 'messaging.system');
  const dest = str(a, 'messaging.destination.name');
  if (msys !== undefined && dest !== undefined) {
    const name = `${msys} ${dest}`;
    return { id: `ext:${name}`, name, kind: 'external' };
  }
  let host: string | undefined;
  if (address !== undefined) {
    const port = str(a, 'server.port') ?? str(a, 'net.peer.port');
    host = port === undefined || port === '80' || port === '443' ? address : `${address}:${port}`;
  } else {
    host = hostOfUrl(str(a, 'url.full') ?? str(a, 'http.url'));
  }
  if (host !== undefined) return { id: `ext:${host}`, name: host, kind: 'external' };
  return { id: 'ext:unknown', name: 'unknown', kind: 'external' };
}
