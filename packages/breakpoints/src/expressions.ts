import { parseExpressionAt, type Node } from 'acorn';

const MAX_EXPRESSION = 500;

/**
 * Methods of built-ins that read and never write. A user method of the same name is not told apart
 * (nor are getters): like cloud-debug-nodejs, this check stops the obvious mutations, and V8's
 * condition evaluation cannot be run in its side-effect-free mode.
 */
const PURE_METHODS = new Set([
  'includes', 'startsWith', 'endsWith', 'indexOf', 'lastIndexOf', 'charAt', 'charCodeAt', 'codePointAt',
  'at', 'slice', 'substring', 'substr', 'toLowerCase', 'toUpperCase', 'trim', 'trimStart', 'trimEnd',
  'padStart', 'padEnd', 'toString', 'toFixed', 'toPrecision', 'valueOf', 'has', 'get', 'isArray',
  'isInteger', 'isFinite', 'isNaN', 'isSafeInteger', 'keys', 'abs', 'min', 'max', 'floor', 'ceil', 'round',
]);
const PURE_FUNCTIONS = new Set(['String', 'Number', 'Boolean', 'isNaN', 'isFinite', 'parseInt', 'parseFloat']);

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

/** A syntax check for watches and logpoint parts (those run side-effect-free at the hit). */
export function checkExpressionSyntax(expr: string, what = 'expression'): string | undefined {
  const r = parse(expr, what);
  return typeof r === 'string' ? r : undefined;
}

/**
 * Checks a condition before V8 gets it: V8 would accept a broken condition and silently never fire,
 * and evaluates conditions with side effects allowed. Returns an error message, or undefined if fine.
 */
export function checkCondition(expr: string): string | undefined {
  return checkPureExpression(expr, 'condition');
}

/** The same check for any expression V8 evaluates natively (conditions, logpoint message parts). */
export function checkPureExpression(expr: string, what: string): string | undefined {
  const r = parse(expr, what);
  if (typeof r === 'string') return r;
  const bad = findSideEffect(r, expr);
  return bad ? `${what} "${expr}" refused: ${bad}` : undefined;
}

type AnyNode = Node & Record<string, unknown>;

function findSideEffect(root: Node, src: string): string | undefined {
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
      case 'Literal':
      case 'ThisExpression':
      case 'TemplateElement':
        return undefined;
      case 'TemplateLiteral':
        return kids('expressions');
      case 'MemberExpression':
        return node.computed ? kids('object', 'property') : kids('object');
      case 'ChainExpression':
        return kids('expression');
      case 'UnaryExpression':
        return node.operator === 'delete' ? `\`${text(node)}\` deletes a property` : kids('argument');
      case 'BinaryExpression':
      case 'LogicalExpression':
        return kids('left', 'right');
      case 'ConditionalExpression':
        return kids('test', 'consequent', 'alternate');
      case 'SequenceExpression':
        return kids('expressions');
      case 'ArrayExpression':
        return kids('elements');
      case 'ObjectExpression':
        return kids('properties');
      case 'Property':
        if (node.kind !== 'init' || node.method) return `\`${text(node)}\` defines a method`;
        return node.computed ? kids('key', 'value') : kids('value');
      case 'AssignmentExpression':
        return `\`${text(node)}\` assigns a value`;
      case 'UpdateExpression':
        return `\`${text(node)}\` changes a variable`;
      case 'CallExpression': {
        const callee = node.callee as AnyNode;
        const name =
          callee.type === 'Identifier' ? String(callee.name)
          : callee.type === 'MemberExpression' && !callee.computed ? String((callee.property as AnyNode).name)
          : undefined;
        const pure = callee.type === 'Identifier' ? PURE_FUNCTIONS.has(name ?? '') : PURE_METHODS.has(name ?? '');
        if (!pure) {
          return `calling \`${text(callee)}()\` may have side effects; only read-only built-ins (includes, startsWith, indexOf, slice, has, get, ...) may be called here. Use a snapshot watch instead`;
        }
        return callee.type === 'MemberExpression' ? kids('callee', 'arguments') : kids('arguments');
      }
      default:
        return `${node.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} (\`${text(node)}\`) is not allowed`;
    }
  };
  return visit(root as AnyNode);
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
      const end = message.indexOf('}', i);
      if (end < 0) return `message has an unclosed "{" at column ${i + 1}`;
      const expr = message.slice(i + 1, end);
      // V8 evaluates logpoint parts natively (see logpoint.ts): they get the condition's check.
      const err = checkPureExpression(expr, 'message part');
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
