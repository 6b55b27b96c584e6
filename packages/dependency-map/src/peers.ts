import { calleeOf, type KnownHosts, type SpanRecord } from '@debugpanel/model';
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

/**
 * The virtual node an unpaired client (or producer) span calls: model's `calleeOf`, so that the
 * service map and the metrics table name a dependency alike (a database, an uninstrumented
 * `peer.service`, a message destination or an external host; see `calleeOf` for the attributes,
 * old and new semantic conventions). Message destinations and hosts are `external` nodes. A host
 * in `knownHosts` (where a service's server spans were reached) is that service's node.
 */
export function peerOf(span: SpanRecord, knownHosts?: KnownHosts): PeerNode {
  const c = calleeOf(span, knownHosts);
  if (c.kind === 'database') return { id: c.id, name: c.name, kind: 'database', system: c.system! };
  if (c.kind === 'service') return { id: serviceNodeId(c.name), name: c.name, kind: 'service' };
  return { id: c.id, name: c.name, kind: 'external' };
}
