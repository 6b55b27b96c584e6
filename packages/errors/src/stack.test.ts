import { describe, expect, it } from 'vitest';
import { functionName, moduleOf, parseStack, MAX_FRAMES } from './stack.js';

describe('parseStack', () => {
  it('reads V8 frames: named, anonymous, async, native, node: and node_modules', () => {
    const frames = parseStack(
      [
        'TypeError: a message',
        'over two lines',
        '    at OrderService.price (/srv/shop/src/orders.ts:12:5)',
        '    at /srv/shop/src/routes.ts:40:3',
        '    at async Promise.all (index 0)',
        '    at Layer.handle [as handle_request] (/srv/shop/node_modules/express/lib/router/layer.js:95:5)',
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
        '    at Array.map (<anonymous>)',
        '    at eval (eval at compile (/srv/shop/src/tpl.ts:3:10), <anonymous>:1:1)',
      ].join('\n'),
      '/srv/shop',
    );
    expect(frames).toEqual([
      { function: 'OrderService.price', module: 'src/orders', file: '/srv/shop/src/orders.ts', line: 12, column: 5, inApp: true },
      { function: '<anonymous>', module: 'src/routes', file: '/srv/shop/src/routes.ts', line: 40, column: 3, inApp: true },
      { function: 'Promise.all', module: '<native>', inApp: false },
      { function: 'Layer.handle', module: 'node_modules/express/lib/router/layer', file: '/srv/shop/node_modules/express/lib/router/layer.js', line: 95, column: 5, inApp: false },
      { function: 'process.processTicksAndRejections', module: 'node:internal/process/task_queues', file: 'node:internal/process/task_queues', line: 95, column: 5, inApp: false },
      { function: 'Array.map', module: '<native>', inApp: false },
      { function: 'eval', module: 'src/tpl', file: '/srv/shop/src/tpl.ts', line: 3, column: 10, inApp: true },
    ]);
  });

  it('reads at most MAX_FRAMES frames, and a caller may narrow in-app', () => {
    const deep = ['RangeError: Maximum call stack size exceeded', ...Array.from({ length: 500 }, (_, i) => `    at f${i} (/a/b/c.js:${i}:1)`)].join('\n');
    expect(parseStack(deep)).toHaveLength(MAX_FRAMES);
    const vendored = parseStack('E\n    at x (/srv/app/vendor/lib.js:1:1)', '/srv/app', (f) => !f.includes('/vendor/'));
    expect(vendored[0]!.inApp).toBe(false);
  });

  it('names modules the same wherever the app runs', () => {
    expect(moduleOf('/home/ada/shop/dist/services/orders.js')).toBe('dist/services/orders');
    expect(moduleOf('file:///srv/shop/dist/services/orders.js?v=3', '/srv/shop')).toBe('dist/services/orders');
    expect(moduleOf('C:\\shop\\src\\orders.ts', 'C:\\shop')).toBe('src/orders');
    expect(moduleOf('/x/node_modules/a/node_modules/b/index.cjs')).toBe('node_modules/b/index');
    expect(moduleOf('https://shop.example/assets/app-3f9a1c2d.js')).toBe('assets/app');
    expect(moduleOf('node:net')).toBe('node:net');
  });

  it('names functions by what they are, not how they were called', () => {
    expect(functionName('async Store.load')).toBe('Store.load');
    expect(functionName('new Store')).toBe('Store');
    expect(functionName('Object.<anonymous>')).toBe('<anonymous>');
    expect(functionName(undefined)).toBe('<anonymous>');
    expect(functionName('Layer.handle [as handle_request]')).toBe('Layer.handle');
  });
});
