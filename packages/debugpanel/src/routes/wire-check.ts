/**
 * Checks a route's real JSON answer against the type `@debugpanel/model` declares for it (for the
 * route tests; not built). The types are read from the model's built `.d.ts` with the TypeScript
 * checker, so there is no second description of the contract to keep in step: an answer that
 * misses a required field, carries a field its type lacks, or has a field of the wrong kind fails.
 *
 * @example
 * const body = await (await fetch(`${base}/api/traces`)).json();
 * expectWire(body, 'TracesResponse'); // throws, naming every mismatch, unless body is a TracesResponse
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

interface Model {
  checker: ts.TypeChecker;
  types: Map<string, ts.Type>;
}

let model: Model | undefined;

/** The model's exported interfaces and type aliases, by name (one program per test file, built on first use). */
function load(): Model {
  if (model) return model;
  const entry = path.join(path.dirname(createRequire(import.meta.url).resolve('@debugpanel/model')), 'index.d.ts');
  const program = ts.createProgram([entry], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2023.d.ts'],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`wire-check: cannot read ${entry}; build @debugpanel/model first`);
  const types = new Map<string, ts.Type>();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) types.set(exported.name, checker.getDeclaredTypeOfSymbol(symbol));
  }
  return (model = { checker, types });
}

/** Every way `value` differs from `type`, as `path: problem` lines (empty when it conforms). */
function mismatches(checker: ts.TypeChecker, value: unknown, type: ts.Type, at: string, out: string[]): void {
  const f = type.flags;
  const name = () => checker.typeToString(type);
  const fail = (why: string) => void out.push(`${at || '(root)'}: ${why}`);
  if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
  if (type.isUnion()) {
    // One member must take the value whole; else report the member that came closest.
    let best: string[] | undefined;
    for (const member of type.types) {
      const errs: string[] = [];
      mismatches(checker, value, member, at, errs);
      if (errs.length === 0) return;
      if (!best || errs.length < best.length) best = errs;
    }
    if (best && best.length === 1 && best[0]!.startsWith(`${at || '(root)'}: expected`)) return fail(`expected ${name()}, got ${JSON.stringify(value)?.slice(0, 60)}`);
    out.push(...(best ?? []));
    return;
  }
  if (type.isStringLiteral() || type.isNumberLiteral()) {
    if (value !== type.value) fail(`expected ${name()}, got ${JSON.stringify(value)?.slice(0, 60)}`);
    return;
  }
  if (f & ts.TypeFlags.BooleanLiteral) {
    if (value !== (name() === 'true')) fail(`expected ${name()}, got ${JSON.stringify(value)}`);
    return;
  }
  if (f & ts.TypeFlags.Null) return value === null ? undefined : fail(`expected null, got ${typeof value}`);
  if (f & ts.TypeFlags.Undefined) return value === undefined ? undefined : fail(`expected nothing, got ${typeof value}`);
  if (f & ts.TypeFlags.String) return typeof value === 'string' ? undefined : fail(`expected string, got ${JSON.stringify(value)?.slice(0, 60)}`);
  if (f & ts.TypeFlags.Number) return typeof value === 'number' ? undefined : fail(`expected number, got ${JSON.stringify(value)?.slice(0, 60)}`);
  if (f & ts.TypeFlags.Boolean) return typeof value === 'boolean' ? undefined : fail(`expected boolean, got ${JSON.stringify(value)}`);
  if (checker.isTupleType(type) || checker.isArrayType(type)) {
    if (!Array.isArray(value)) return fail(`expected ${name()}, got ${value === null ? 'null' : typeof value}`);
    const args = checker.getTypeArguments(type as ts.TypeReference);
    value.forEach((v, i) => mismatches(checker, v, checker.isTupleType(type) ? args[i]! : args[0]!, `${at}[${i}]`, out));
    return;
  }
  if (f & ts.TypeFlags.Object || type.isIntersection()) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(`expected ${name()}, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)?.slice(0, 60)}`);
    const obj = value as Record<string, unknown>;
    const known = new Set<string>();
    for (const prop of checker.getPropertiesOfType(type)) {
      known.add(prop.name);
      const propType = checker.getTypeOfSymbol(prop);
      const key = at ? `${at}.${prop.name}` : prop.name;
      if (obj[prop.name] === undefined) {
        const optional = prop.flags & ts.SymbolFlags.Optional || (propType.isUnion() && propType.types.some((t) => t.flags & ts.TypeFlags.Undefined));
        if (!optional) fail(`${prop.name} is missing (required by ${name()})`);
        continue;
      }
      mismatches(checker, obj[prop.name], propType, key, out);
    }
    const index = checker.getIndexInfosOfType(type).find((i) => i.keyType.flags & ts.TypeFlags.String);
    for (const k of Object.keys(obj)) {
      if (known.has(k)) continue;
      if (index) mismatches(checker, obj[k], index.type, at ? `${at}.${k}` : k, out);
      else fail(`${k} is not a field of ${name()}`);
    }
    return;
  }
  fail(`cannot check a value against ${name()}`);
}

/** The mismatches of `value` against the model type named `typeName` (for tests of this checker). */
export function wireMismatches(value: unknown, typeName: string): string[] {
  const { checker, types } = load();
  const type = types.get(typeName);
  if (!type) throw new Error(`wire-check: @debugpanel/model exports no type "${typeName}"`);
  const out: string[] = [];
  mismatches(checker, value, type, '', out);
  return out;
}

/** Throws, listing the first mismatches, unless `value` is exactly a `typeName` of `@debugpanel/model`. */
export function expectWire<T = unknown>(value: unknown, typeName: string): asserts value is T {
  const out = wireMismatches(value, typeName);
  if (out.length > 0) {
    throw new Error(`the answer is not a ${typeName}:\n  ${out.slice(0, 12).join('\n  ')}${out.length > 12 ? `\n  (+${out.length - 12} more)` : ''}`);
  }
}
