/**
 * The map's nodes and edges are what `GET {path}/api/dependencies` sends, so they are declared once
 * in `@debugpanel/model` (`api/dependencies.ts`) and re-exported here.
 */
export type { DependencyMap, FailureImpact, LatencyQuantiles, MapEdge, MapNode, MapNodeKind } from '@debugpanel/model';

export interface DependencyMapOptions {
  /** Share of failed calls that must take the caller down for the edge to be `hard`. Default 0.5. */
  hardThreshold?: number;
  /** Trace ids kept per edge. Default 5, at most 100. */
  maxTraceIdsPerEdge?: number;
}
