import { describe, expect, it } from 'vitest';
import { Redactor } from '@debugpanel/model';
import { environmentSecrets, FrameSecrets, harvestSecrets, PauseReader, type PropertyDescriptor } from './secrets.js';

const redactor = new Redactor();
const str = (name: string, value: string): PropertyDescriptor => ({ name, value: { type: 'string', value } });
const obj = (name: string, objectId: string, subtype?: string, description = 'Object'): PropertyDescriptor => ({
  name, value: { type: 'object', objectId, description, ...(subtype ? { subtype } : {}) },
});

/** A reader over a fixed object graph, counting what it reads. */
function graph(objects: Record<string, PropertyDescriptor[]>) {
  const reads: string[] = [];
  const post = ((method: string, params: { objectId: string }) => {
    if (method !== 'Runtime.getProperties') throw new Error(method);
    reads.push(params.objectId);
    return { result: objects[params.objectId] ?? [] };
  }) as never;
  return { reader: new PauseReader(post, 'g'), reads };
}

describe('FrameSecrets', () => {
  it('redacts a known value wherever it appears, and the parts a slice would show', () => {
    const s = new FrameSecrets(redactor, ['Bearer live-abc123', 'sid=cookie-777; theme=dark']);
    expect(s.redact('header was Bearer live-abc123!')).toBe('header was [REDACTED]!');
    expect(s.redact('token live-abc123')).toBe('token [REDACTED]');
    expect(s.redact('c=cookie-777')).toBe('c=[REDACTED]');
    expect(s.redact('theme is dark')).toBe('theme is dark'); // too short to be told from ordinary text
    expect(s.redact('postgres://u:p@h/db')).toBe('postgres://u:[REDACTED]@h/db'); // and by shape
  });

  it('reads secret environment variables', () => {
    expect(environmentSecrets(redactor, { DB_PASSWORD: 'pw-1', HOME: '/root', API_TOKEN: 'tok' })).toEqual(['pw-1', 'tok']);
  });
});

describe('harvestSecrets', () => {
  it('collects values under secret keys and after secret header names, holders first, within its budget', () => {
    const { reader, reads } = graph({
      scope: [str('password', 'local-pw-1'), obj('req', 'req'), obj('big', 'big'), str('name', 'ann')],
      req: [obj('socket', 'socket'), obj('rawHeaders', 'raw', 'array', 'Array(6)'), str('url', '/x')],
      raw: [str('0', 'host'), str('1', 'h:1'), str('2', 'authorization'), str('3', 'Bearer raw-tok-1'), str('4', 'x-api-key'), str('5', 'k-plain-9'), str('length', '6')],
      big: [obj('child', 'child')],
      socket: [str('secretish', 'socket-secret-1')],
    });
    const into = new FrameSecrets(redactor);
    harvestSecrets(reader, ['scope'], redactor, into);
    for (const v of ['local-pw-1', 'Bearer raw-tok-1', 'raw-tok-1', 'k-plain-9', 'socket-secret-1']) expect(into.redact(`<${v}>`), v).toBe('<[REDACTED]>');
    expect(into.redact('h:1 /x ann')).toBe('h:1 /x ann');
    expect(reads.indexOf('req')).toBeLessThan(reads.indexOf('big')); // a request is read before other objects
  });

  it('stops at its object budget', () => {
    const objects: Record<string, PropertyDescriptor[]> = { scope: Array.from({ length: 100 }, (_, i) => obj(`o${i}`, `o${i}`)) };
    const { reader, reads } = graph(objects);
    harvestSecrets(reader, ['scope'], redactor, new FrameSecrets(redactor), 10);
    expect(reads).toHaveLength(11); // the scope and ten objects
  });
});
