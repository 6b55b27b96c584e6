import { describe, expect, it } from 'vitest';
import { Redactor } from './redact.js';

describe('Redactor.query', () => {
  const r = new Redactor(['session']);

  it('returns the same string when no key looks secret', () => {
    const q = 'page=2&sort=name';
    expect(r.query(q)).toBe(q);
  });

  it('redacts values of keys matching the default pattern, case-insensitively', () => {
    expect(r.query('user=bob&Password=hunter2&api_key=k&apiKey=k2&x-api-key=k3&token=t'))
      .toBe('user=bob&Password=REDACTED&api_key=REDACTED&apiKey=REDACTED&x-api-key=REDACTED&token=REDACTED');
  });

  it('redacts user keys by exact name only', () => {
    expect(r.query('session=abc&sessions=2')).toBe('session=REDACTED&sessions=2');
  });

  it('compares percent-encoded keys after decoding', () => {
    expect(r.query('p%61ss=x&a=1')).toBe('p%61ss=REDACTED&a=1');
  });

  it('keeps keys without a value and empty parts', () => {
    expect(r.query('secret&&a=1')).toBe('secret&&a=1');
  });

  it('survives malformed percent-encoding', () => {
    expect(r.query('%E0%A4%A=1&token=2')).toBe('%E0%A4%A=1&token=REDACTED');
  });
});

describe('Redactor.attributes', () => {
  const r = new Redactor(['customer.ssn']);

  it('returns the same object when nothing matches', () => {
    const attrs = { 'http.request.method': 'GET', 'url.path': '/' };
    expect(r.attributes(attrs)).toBe(attrs);
  });

  it('copies and redacts secret keys without touching the original', () => {
    const attrs = { 'db.password': 'p', 'customer.ssn': '123', keep: 1 };
    expect(r.attributes(attrs)).toEqual({ 'db.password': 'REDACTED', 'customer.ssn': 'REDACTED', keep: 1 });
    expect(attrs['db.password']).toBe('p');
  });
});
