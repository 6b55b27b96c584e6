import { USER_NODE_ID } from './peers.js';
import type { FailureReach } from '@debugpanel/model';
import type { DependencyMap, MapEdge } from './types.js';

export type { FailureReach };

/**
 * "If `nodeId` fails, what else fails": walks callers upstream. A caller whose calls to a failed
 * node took it down (`hard` edge) fails; one that recovered (`soft`) stops the walk; one whose
 * calls never failed while observed (`unknown`) may fail. `user` fails with any service it calls
 * directly, since its requests are what the service answers (not through an edge made only of
 * requests whose caller had not reported: see `MapEdge.callerNotSeen`). The node itself is not listed.
 *
 * @example
 * const map = buildDependencyMap(spans);
 * whatFailsWith(map, 'db:sqlite:shop'); // { fails: ['svc:inventory', 'svc:orders', ...], mayFail: [] }
 */
export function whatFailsWith(map: DependencyMap, nodeId: string): FailureReach {
  const callers = new Map<string, MapEdge[]>();
  for (const e of map.edges) {
    if (e.source === e.target) continue;
    const list = callers.get(e.target);
    if (list === undefined) callers.set(e.target, [e]);
    else list.push(e);
  }
  // Two passes of breadth-first search: first the sure failures, then what unknown edges add.
  const fails = reach(nodeId, callers, (e) => !onlyLate(e) && (e.impact === 'hard' || e.source === USER_NODE_ID));
  const maybe = reach(nodeId, callers, (e) => !onlyLate(e) && (e.impact !== 'soft' || e.source === USER_NODE_ID));
  const sure = new Set(fails);
  return { fails, mayFail: maybe.filter((n) => !sure.has(n)) };
}

/**
 * An edge from `user` whose every request named a caller span the map lacked (`callerNotSeen`: a
 * hub that had not yet got the caller's spans): no sign that users call the service directly, so
 * `user` neither fails nor may fail through it.
 */
function onlyLate(e: MapEdge): boolean {
  return e.source === USER_NODE_ID && (e.callerNotSeen ?? 0) >= e.requests;
}

function reach(start: string, callers: Map<string, MapEdge[]>, follow: (e: MapEdge) => boolean): string[] {
  const seen = new Set<string>([start]);
  const out: string[] = [];
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const e of callers.get(queue[i]!) ?? []) {
      if (seen.has(e.source) || !follow(e)) continue;
      seen.add(e.source);
      out.push(e.source);
      queue.push(e.source);
    }
  }
  return out;
}
