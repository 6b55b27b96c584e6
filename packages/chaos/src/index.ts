/**
 * @debugpanel/chaos: fault rules (scope, rate, expiry), the `FaultInjector` hooks that
 * `@debugpanel/tracing` and the panel's middleware call, and experiments with a verdict.
 * Pure: it imports only `@debugpanel/model`; the panel wires it to tracing and to its routes.
 *
 * @example
 * import { ChaosEngine } from '@debugpanel/chaos';
 * const engine = new ChaosEngine({ service: 'orders', onArmedChange: (on) => tracing.setFaultInjector(on ? engine : undefined) });
 * engine.add({ target: 'db', fault: { kind: 'latency', ms: 200 }, scope: { statement: 'SELECT stock' }, durationMs: 60000 });
 */
export { ChaosEngine, describeRule, type ChaosEngineOptions, type ChaosEvent } from './engine.js';
export { parseRule, splitHeader, type RuleSpec, type Parsed, type ValidateContext } from './validate.js';
export { compileScope, routePattern } from './match.js';
export {
  ChaosExperiments,
  judge,
  namesTarget,
  suspectName,
  targetWords,
  type ExperimentObservation,
  type ExperimentObserver,
  type IncidentsSince,
  type ObservedIncident,
  type ObservedSuspect,
  type ChaosExperimentsOptions,
} from './experiments.js';
export { signalChanges, type TimedSeries } from './signals.js';
