import { describe, expect, it } from 'vitest';
import { needsDebugger } from './session.js';

describe('needsDebugger', () => {
  it('gives a viewer the reason, with the token id and what to do', () => {
    const why = needsDebugger({ role: 'viewer', tokenId: 'ab12cd34', via: 'cookie', expiresAt: 1 }, 'Breakpoints');
    expect(why).toMatch(/^Breakpoints need the debugger role\. You are logged in with the viewer token \(id ab12cd34\)/);
    expect(why).toMatch(/Log in with the debugger token/);
  });
  it('lets a debugger, and a session not known yet, through', () => {
    expect(needsDebugger({ role: 'debugger', tokenId: 'loopback', via: 'loopback', expiresAt: null }, 'Breakpoints')).toBeUndefined();
    expect(needsDebugger(undefined, 'Breakpoints')).toBeUndefined();
  });
});
