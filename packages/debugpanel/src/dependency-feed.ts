/**
 * The service map's incremental builder, fed by the pipeline with every span it receives (before
 * sampling, like the golden signals), counted into one-minute buckets: `GET /api/dependencies`
 * merges the buckets of its window, so the map counts every span of the window, not the newest
 * stored traces. Bounded: spans waiting for the other side of a call (`maxPendingSpans`), nodes
 * and edges per bucket, and the buckets (an hour and a minute); each drop is counted in stats.
 */
import { DependencyMapBuilder, type DependencyMapBuilderOptions } from '@debugpanel/dependency-map';
import type { SpanRecord } from '@debugpanel/model';
import type { SpanBatchConsumer } from './pipeline.js';

export const DEPENDENCY_BUCKET_MS = 60_000;

/**
 * Per bucket: each node and edge holds a 1.3 KB latency histogram, so these bound a bucket to
 * ~0.9 MB (a demo-sized app of ~30 nodes and edges needs ~40 KB a minute).
 */
const DEFAULTS: DependencyMapBuilderOptions = {
  bucketMs: DEPENDENCY_BUCKET_MS,
  maxBuckets: 61,
  maxNodes: 200,
  maxEdges: 500,
  maxPendingSpans: 20_000,
  waitMs: 5000,
};

export interface DependencyFeed extends SpanBatchConsumer {
  builder: DependencyMapBuilder;
}

export function createDependencyFeed(options: Omit<DependencyMapBuilderOptions, 'bucketMs'> = {}): DependencyFeed {
  const builder = new DependencyMapBuilder({ ...DEFAULTS, ...options });
  return {
    builder,
    onBatch(spans: readonly SpanRecord[]) {
      builder.add(spans);
    },
  };
}
