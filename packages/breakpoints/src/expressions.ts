import { createRequire } from 'node:module';
import type { Node } from 'acorn';

type Acorn = typeof import('acorn');
let acorn: Acorn | undefined;
/**
 * acorn (0.7 MiB of live heap once loaded) is required at the first expression checked, not with
 * the panel: most processes never set a condition, watch or logpoint. Its CommonJS build, so that
 * the check stays synchronous.
 */
function parseExpressionAt(input: string, pos: number, options: Parameters<Acorn['parseExpressionAt']>[2]): Node {
  acorn ??= createRequire(import.meta.url)('acorn') as Acorn;
  return acorn.parseExpressionAt(input, pos, options);
}

const MAX_EXPRESSION = 500;

/**
 * What a condition, a logpoint part or a watch may be, checked before anything reaches V8. This
 * is a friendly early refusal, not the safety: V8 evaluates every expression in its side-effect-free
 * mode with a time limit (evaluate.ts), so a method of the app named like a built-in, a getter or a
 * `toString` that writes is refused there. What this list adds is what V8 cannot stop: a builtin
 * asked for a huge string or array (`'x'.padStart(2 ** 29)`, `Array(2 ** 30).fill(1)`) allocates
 * without a pause for the time limit and can end the process out of memory. So calls are limited to
 * methods that return at most about the size of what they read, called by a literal name (no
 * `obj[name]()`, no `(0, f)()`, no `call`/`apply`/`bind`), and nothing can build a function, an
 * object literal (a home for an alias: `({get: eval}).get(...)`), a spread or a tagged template.
 */
const CALLABLE_METHODS = new Set([
  'includes', 'startsWith', 'endsWith', 'indexOf', 'lastIndexOf', 'charAt', 'charCodeAt', 'codePointAt',
  'at', 'slice', 'substring', 'substr', 'toLowerCase', 'toUpperCase', 'trim', 'trimStart', 'trimEnd',
  'toString', 'toFixed', 'toPrecision', 'valueOf', 'has', 'get', 'test', 'localeCompare', 'hasOwnProperty',
  'isArray', 'isInteger', 'isFinite', 'isNaN', 'isSafeInteger', 'keys', 'values', 'entries', 'hasOwn',
  'abs', 'min', 'max', 'floor', 'ceil', 'round', 'trunc', 'sign', 'now', 'getTime', 'toISOString',
]);
const CALLABLE_FUNCTIONS = new Set(['String', 'Number', 'Boolean', 'isNaN', 'isFinite', 'parseInt', 'parseFloat']);
/** Names that only lead to code (eval and friends) or to the process; `globalThis.x` reaches them all. */
const DENIED_NAMES = new Set([
  'eval', 'Function', 'AsyncFunction', 'GeneratorFunction', 'Reflect', 'Proxy', 'globalThis', 'global', 'window',
  'self', 'process', 'require', 'module', 'exports', 'Buffer', 'WebAssembly', 'Atomics', 'SharedArrayBuffer',
]);
/** Properties that walk to constructors, prototypes or accessors (`__proto__`, `__lookupGetter__`, ...). */
const DENIED_PROPERTY = /^(?:constructor|prototype|caller|callee|arguments|call|apply|bind|__.*)$/;

/** Parses one expression; returns the AST or an error message that names the position. */
function parse(expr: string, what: string): Node | string {
  if (typeof expr !== 'string' || expr.trim() === '') return `${what} must be a non-empty string`;
  if (expr.length > MAX_EXPRESSION) return `${what} is longer than ${MAX_EXPRESSION} characters`;
  try {
    const node = parseExpressionAt(expr, 0, { ecmaVersion: 'latest' });
    if (expr.slice(node.end).trim() !== '') return `${what} "${expr}" has a syntax error: unexpected "${expr.slice(node.end).trim()}" at column ${node.end + 1}`;
    return node;
  } catch (e) {
    return `${what} "${expr}" has a syntax error: ${(e as Error).message}`;
  }
}

/**
 * Checks a condition, a watch or a logpoint part before it is set. Returns an error message, or
 * undefined when the expression is made only of allowed parts.
 *
 * @example
 * checkExpression('order.total > 100 && user.name.startsWith("a")', 'condition'); // undefined
 * checkExpression('order.items.push(1)', 'condition'); // 'condition "order.items.push(1)" refused: calling ...'
 */
export function checkExpression(expr: string, what = 'expression'): string | undefined {
  const r = parse(expr, what);
  if (typeof r === 'string') return r;
  const bad = findForbidden(r, expr);
  return bad ? `${what} "${expr}" refused: ${bad}` : undefined;
}

/** A condition: the same check as every expression. */
export const checkCondition = (expr: string): string | undefined => checkExpression(expr, 'condition');

type AnyNode = Node & Record<string, unknown>;

/** The literal name of a member (`a.b`, `a['b']`), or undefined for a computed one. */
function memberName(node: AnyNode): string | undefined {
  const p = node.property as AnyNode;
  if (!node.computed) return String(p.name);
  return p.type === 'Literal' && typeof p.value === 'string' ? p.value : undefined;
}

function findForbidden(root: Node, src: string): string | undefined {
  const text = (n: Node) => src.slice(n.start, n.end);
  const visit = (node: AnyNode | null | undefined): string | undefined => {
    if (!node) return undefined;
    const kids = (...names: string[]) => {
      for (const name of names) {
        const v = node[name] as AnyNode | AnyNode[] | null | undefined;
        for (const k of Array.isArray(v) ? v : [v]) {
          const bad = visit(k);
          if (bad) return bad;
        }
      }
      return undefined;
    };
    switch (node.type) {
      case 'Identifier':
        return DENIED_NAMES.has(String(node.name)) ? `\`${String(node.name)}\` is not available here` : undefined;
      case 'Literal':
      case 'ThisExpression':
      case 'TemplateElement':
        return undefined;
      case 'TemplateLiteral':
        return kids('expressions');
      case 'MemberExpression': {
        const name = memberName(node);
        if (name !== undefined && DENIED_PROPERTY.test(name)) return `\`${name}\` is not available here`;
        return node.computed ? kids('object', 'property') : kids('object');
      }
      case 'ChainExpression':
        return kids('expression');
      case 'UnaryExpression':
        return node.operator === 'delete' ? `\`${text(node)}\` deletes a property` : kids('argument');
      case 'BinaryExpression':
      case 'LogicalExpression':
        return kids('left', 'right');
      case 'ConditionalExpression':
        return kids('test', 'consequent', 'alternate');
      case 'ArrayExpression':
        return kids('elements');
      case 'CallExpression':
        return kids('callee', 'arguments') ?? checkCallee(node.callee as AnyNode, text);
      case 'AssignmentExpression':
        return `\`${text(node)}\` assigns a value`;
      case 'UpdateExpression':
        return `\`${text(node)}\` changes a variable`;
      case 'SequenceExpression':
        return `the comma operator (\`${text(node)}\`) is not allowed; combine conditions with && or ||`;
      case 'ObjectExpression':
        return `object literals (\`${text(node)}\`) are not allowed`;
      case 'SpreadElement':
        return `spread (\`${text(node)}\`) is not allowed`;
      case 'TaggedTemplateExpression':
        return `a tagged template (\`${text(node)}\`) runs a function; it is not allowed`;
      case 'NewExpression':
        return `\`new\` (\`${text(node)}\`) is not allowed`;
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
        return `a function (\`${text(node)}\`) is not allowed`;
      case 'ClassExpression':
        return `a class (\`${text(node)}\`) is not allowed`;
      case 'ImportExpression':
        return `import() is not allowed`;
      default:
        return `${node.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} (\`${text(node)}\`) is not allowed`;
    }
  };
  return visit(root as AnyNode);
}

function checkCallee(callee: AnyNode, text: (n: Node) => string): string | undefined {
  const name =
    callee.type === 'Identifier' ? String(callee.name)
    : callee.type === 'MemberExpression' ? memberName(callee)
    : undefined;
  const ok = callee.type === 'Identifier' ? CALLABLE_FUNCTIONS.has(name ?? '') : name !== undefined && CALLABLE_METHODS.has(name);
  if (ok) return undefined;
  return (
    `calling \`${text(callee)}()\` is not allowed: only a named built-in that reads (includes, startsWith, indexOf, ` +
    'slice, has, get, test, toString, ...) may be called here, so that nothing runs that could write, loop or allocate without bound'
  );
}

/**
 * True when an expression reads a secret-looking name at its end (`password`, `order.apiKey`,
 * `req.headers["x-api-key"]`): its value is redacted whatever it looks like.
 */
export function readsSecretKey(expr: string, keys: { isSecretKey(k: string): boolean }): boolean {
  const r = parse(expr, 'expression');
  if (typeof r === 'string') return false;
  let node = r as AnyNode;
  if (node.type === 'ChainExpression') node = node.expression as AnyNode;
  if (node.type === 'Identifier') return keys.isSecretKey(String(node.name));
  if (node.type === 'MemberExpression') {
    const name = memberName(node);
    return name !== undefined && keys.isSecretKey(name);
  }
  return false;
}

/**
 * Where the `{expression}` starting at `from` ends: after what parses as an expression (so a `}`
 * inside a string or a template literal does not end it), else at the next `}`; -1 when none.
 */
function partEnd(message: string, from: number): number {
  try {
    const node = parseExpressionAt(message, from, { ecmaVersion: 'latest' });
    const close = message.indexOf('}', node.end);
    if (close >= 0 && message.slice(node.end, close).trim() === '') return close;
  } catch {
    // not an expression: the check of the part reports why
  }
  return message.indexOf('}', from);
}

/** A logpoint template split into text and `{expression}` parts. */
export type TemplatePart = { text: string } | { expr: string };

/** Splits `a {x.y} b` into parts; `{{` and `}}` stand for literal braces. */
export function parseTemplate(message: string): TemplatePart[] | string {
  if (typeof message !== 'string' || message === '') return 'a logpoint needs a message, e.g. "user {user.id}"';
  if (message.length > 1000) return 'message is longer than 1000 characters';
  const parts: TemplatePart[] = [];
  let text = '';
  for (let i = 0; i < message.length; i++) {
    const c = message[i];
    if ((c === '{' || c === '}') && message[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '{') {
      const end = partEnd(message, i + 1);
      if (end < 0) return `message has an unclosed "{" at column ${i + 1}`;
      const expr = message.slice(i + 1, end);
      const err = checkExpression(expr, 'message part');
      if (err) return err;
      if (text) parts.push({ text });
      text = '';
      parts.push({ expr });
      i = end;
    } else {
      text += c;
    }
  }
  if (text) parts.push({ text });
  if (parts.filter((p) => 'expr' in p).length > 10) return 'a message may have at most 10 {expression} parts';
  return parts;
}
