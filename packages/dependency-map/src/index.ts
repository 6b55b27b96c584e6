/**
 * @debugpanel/dependency-map: spans -> a service graph of nodes and edges with requests, errors,
 * latency percentiles and failure impact, built at once or incrementally. Imports only
 * `@debugpanel/model`.
 *
 * @example
 * import { buildDependencyMap, whatFailsWith } from '@debugpanel/dependency-map';
 * const map = buildDependencyMap(spans);
 * const { fails } = whatFailsWith(map, 'svc:inventory');
 */
export type {
  DependencyMap,
  DependencyMapOptions,
  MapNode,
  MapNodeKind,
  MapEdge,
  FailureImpact,
  LatencyQuantiles,
} from './types.js';
export { buildDependencyMap } from './build.js';
export { DependencyMapBuilder } from './builder.js';
export type { DependencyMapBuilderOptions, DependencyMapBuilderStats, DependencyMapWindow } from './builder.js';
export { whatFailsWith } from './impact.js';
export type { FailureReach } from './impact.js';
export { peerOf, serviceNodeId, USER_NODE_ID } from './peers.js';
export type { PeerNode } from './peers.js';
export { LogHistogram } from './histogram.js';
