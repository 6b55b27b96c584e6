/**
 * What the service map says about a selected node, kept in agreement with the edges drawn into it:
 * a node whose incoming edges show failed calls never reads "nothing was seen failing". A node's
 * own `errors` count its server spans (a server fails on a 5xx), while an edge counts a call as
 * failed when either side is an error span (a client fails on a 4xx too), so an inventory that
 * answered 409 to orders has 0 errors of its own and an orders -> inventory edge with errors.
 */
import type { FailureReach, MapEdge, MapNode } from '@debugpanel/model';

export interface NodeStatus {
  /** Calls into the node (its incoming edges), and how many of them failed */
  callsIn: number;
  failedIn: number;
  /** Callers whose calls to the node failed, with how many failed: ids, most failures first */
  failingCallers: Array<{ id: string; errors: number; requests: number; impact: MapEdge['impact'] }>;
  /** The sentence under "If <node> fails" */
  text: string;
  tone: 'ok' | 'warn' | 'err';
}

const pct = (errors: number, requests: number) => (requests > 0 ? `${((errors / requests) * 100).toFixed(1)} %` : '–');

/**
 * The status of node `node` given the map's edges and its failure reach (`failsWith[node.id]`).
 * `name` turns a node id into its display name.
 *
 * @example
 * nodeStatus(inventory, map.edges, map.failsWith['svc:inventory'], name).text
 * // '44 of 730 calls to it failed (6.0 %), from orders; each time the caller recovered (soft), so nothing failed with it.'
 */
export function nodeStatus(node: MapNode, edges: ReadonlyArray<MapEdge>, reach: FailureReach | undefined, name: (id: string) => string): NodeStatus {
  let callsIn = 0;
  let failedIn = 0;
  const failingCallers: NodeStatus['failingCallers'] = [];
  for (const e of edges) {
    if (e.target !== node.id || e.source === e.target) continue;
    callsIn += e.requests;
    failedIn += e.errors;
    if (e.errors > 0) failingCallers.push({ id: e.source, errors: e.errors, requests: e.requests, impact: e.impact });
  }
  failingCallers.sort((a, b) => b.errors - a.errors || (a.id < b.id ? -1 : 1));
  const fails = reach?.fails ?? [];
  const callers = failingCallers.map((c) => name(c.id)).join(', ');
  let text: string;
  let tone: NodeStatus['tone'];
  if (fails.length > 0) {
    text = `${failedIn} of ${callsIn} calls to it failed (${pct(failedIn, callsIn)}); these failed with it (hard dependencies):`;
    tone = 'err';
  } else if (failedIn > 0) {
    const recovered = failingCallers.every((c) => c.impact === 'soft');
    text = `${failedIn} of ${callsIn} calls to it failed (${pct(failedIn, callsIn)}), from ${callers}; ` +
      (recovered
        ? 'each time the caller recovered (soft), so nothing failed with it.'
        : 'whether their callers failed too is not known (their entry spans are missing).');
    tone = 'warn';
  } else if (node.errors > 0) {
    text = `${node.errors} of its ${node.requests} requests failed (${pct(node.errors, node.requests)}), but no call to it was seen failing.`;
    tone = 'warn';
  } else {
    text = callsIn > 0 ? `None of the ${callsIn} calls to it failed: nothing was seen failing with it.` : 'Nothing calls it in this window.';
    tone = 'ok';
  }
  return { callsIn, failedIn, failingCallers, text, tone };
}

/**
 * The note on an edge from `user` when some of its server spans name a caller span the map did
 * not have (`callerNotSeen`): in a hub that is a trace whose caller's spans had not arrived yet,
 * so "user -> inventory" next to "orders -> inventory" is not a second caller. Undefined otherwise.
 */
/** True for an edge from `user` made only of requests whose caller had not reported: drawn faint. */
export function onlyCallerNotSeen(e: MapEdge): boolean {
  return (e.callerNotSeen ?? 0) > 0 && (e.callerNotSeen ?? 0) >= e.requests;
}

export function userEdgeNote(e: MapEdge, name: (id: string) => string): string | undefined {
  const n = e.callerNotSeen ?? 0;
  if (n === 0) return undefined;
  const all = n >= e.requests;
  const which = !all ? `${n} of ${e.requests} requests` : n === 1 ? 'The one request' : `All ${n} requests`;
  const one = n === 1;
  return `${which} to ${name(e.target)} named a caller span that was not among the stored spans: ` +
    `${one ? 'its' : 'their'} caller had not reported yet (in a hub, other processes' spans arrive a moment later) or is not instrumented. ` +
    `${one ? 'It is' : 'They are'} drawn from user because nothing else is known of the caller.`;
}
