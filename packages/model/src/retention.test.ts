import { describe, expect, it } from 'vitest';
import { RETENTION_CLASSES, RETENTION_TIER, retentionClassIndex, retentionClassOf, type RetentionFacts } from './retention.js';

const facts = (over: Partial<RetentionFacts> = {}): RetentionFacts => ({
  pinned: false, linked: false, errorCount: 0, reason: undefined, slow: false, exemplar: false, ...over,
});

describe('retentionClassOf', () => {
  it('ranks pinned > linked > error > slow > exemplar > normal', () => {
    expect(retentionClassOf(facts())).toBe('normal');
    expect(retentionClassOf(facts({ reason: 'all' }))).toBe('normal');
    expect(retentionClassOf(facts({ reason: 'sampled' }))).toBe('normal');
    expect(retentionClassOf(facts({ exemplar: true }))).toBe('exemplar');
    expect(retentionClassOf(facts({ reason: 'attribute:user.id' }))).toBe('exemplar');
    expect(retentionClassOf(facts({ slow: true, exemplar: true }))).toBe('slow');
    expect(retentionClassOf(facts({ reason: 'slow' }))).toBe('slow');
    expect(retentionClassOf(facts({ errorCount: 2, slow: true }))).toBe('error');
    expect(retentionClassOf(facts({ reason: 'error' }))).toBe('error');
    expect(retentionClassOf(facts({ linked: true, errorCount: 1 }))).toBe('linked');
    expect(retentionClassOf(facts({ pinned: true, linked: true }))).toBe('pinned');
  });

  it('numbers the classes as RETENTION_CLASSES orders them', () => {
    expect(RETENTION_CLASSES).toEqual(['normal', 'exemplar', 'slow', 'error', 'linked', 'pinned']);
    expect(retentionClassIndex(facts({ linked: true }))).toBe(RETENTION_CLASSES.indexOf('linked'));
    expect(retentionClassIndex(facts({ slow: true }))).toBe(RETENTION_CLASSES.indexOf('slow'));
  });

  it('gives every class a tier, normal lowest and pinned highest', () => {
    expect(RETENTION_CLASSES.map((c) => RETENTION_TIER[c])).toEqual([0, 1, 2, 2, 3, 4]);
  });
});
