import { REDACTED } from '@debugpanel/model';
import { evaluateOnFrame, type EvalFailure } from './evaluate.js';
import { readsSecretKey, type TemplatePart } from './expressions.js';
import type { CaptureTools, Scene } from './snapshot.js';
import type { CapturedValue } from './types.js';

export interface RenderedMessage {
  message: string;
  /** Set when a part was refused for side effects or cut by the time limit (counted towards disarming). */
  unsafe?: { failure: EvalFailure; error: string };
}

/**
 * A logpoint's message at a pause: every `{expression}` part evaluated side-effect free with the
 * time limit, like a watch, and formatted without running app code (no getters, no proxy traps,
 * no `toString`). Secrets are redacted like a snapshot's; the frame is searched for secret values
 * only when a part produced text or an object, so a message of numbers costs no search.
 */
export function renderMessage(tools: CaptureTools, scene: Scene, parts: readonly TemplatePart[]): RenderedMessage {
  const frame = scene.frames[0]!;
  const values = parts.map((p) => ('expr' in p ? evaluateOnFrame(tools.session, frame.callFrameId, p.expr, scene.group, tools.evalTimeoutMs) : undefined));
  let unsafe: RenderedMessage['unsafe'];
  let needsSecrets = false;
  for (const v of values) {
    if (!v) continue;
    if ('error' in v) {
      if (v.failure !== 'threw') unsafe ??= v;
    } else if (v.result.type === 'string' || v.result.type === 'object') needsSecrets = true;
  }
  if (needsSecrets) scene.harvest(1);
  const c = scene.capturer({ ...tools.limits, maxDepth: 1, maxBytes: Number.MAX_SAFE_INTEGER });
  let message = '';
  parts.forEach((p, i) => {
    if ('text' in p) {
      message += p.text;
      return;
    }
    const v = values[i]!;
    if ('error' in v) message += `<${scene.secrets.redact(v.error)}>`;
    else message += formatCaptured(c.value(p.expr, v.result, 0, readsSecretKey(p.expr, tools.redactor)), 0);
  });
  return { message, ...(unsafe ? { unsafe } : {}) };
}

/**
 * One captured value as short text: strings bare at the top and quoted inside objects, objects one
 * level deep (`User {name: "ann", items: Array(2)}`), arrays as `[1, "two", Array(1)]`.
 *
 * @example
 * formatCaptured({ name: 'x', type: 'number', value: 3 }, 0); // '3'
 */
export function formatCaptured(v: CapturedValue, depth: number): string {
  if (v.note === 'redacted' && v.value === REDACTED) return REDACTED;
  switch (v.type) {
    case 'string':
      return depth === 0 ? String(v.value) : JSON.stringify(v.value);
    case 'undefined':
      return 'undefined';
    case 'null':
      return 'null';
    case 'bigint':
      return `${String(v.value).replace(/n$/, '')}n`;
    case 'accessor':
      return '(getter)';
    case 'function':
      return `ƒ ${String(v.value ?? '').replace(/^(?:async\s+)?(?:function\s*\*?\s*|class\s+)?/, '').replace(/\(.*$/s, '').trim() || 'anonymous'}`;
    case 'object': {
      const desc = String(v.value ?? 'Object');
      // An Error's description is its stack: its first line says enough.
      if (!v.members) return desc.split('\n')[0]!;
      const isArray = /^(?:[A-Z]\w*)?Array\(\d+\)$/.test(desc);
      const shown = v.members.map((m) => (isArray ? formatCaptured(m, depth + 1) : `${m.name}: ${formatCaptured(m, depth + 1)}`));
      if (v.note === 'more' || v.note === 'budget') shown.push('…');
      return isArray ? `[${shown.join(', ')}]` : `${desc === 'Object' ? '' : `${desc} `}{${shown.join(', ')}}`;
    }
    default:
      return String(v.value);
  }
}
