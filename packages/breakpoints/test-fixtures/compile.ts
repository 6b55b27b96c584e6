import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = path.dirname(fileURLToPath(import.meta.url));
export const fixtures = here;

/**
 * Compiles a TypeScript fixture to `<outDir>/<name><ext>` with an external source map whose
 * `sources` points back at the .ts file, as tsc does for an app built into dist/.
 */
export function compileFixture(name: string, module: 'esm' | 'cjs', outDir: string): string {
  const src = path.join(here, name);
  const ext = module === 'esm' ? '.mjs' : '.cjs';
  const outFile = path.join(outDir, name.replace(/\.c?ts$/, ext));
  mkdirSync(outDir, { recursive: true });
  const r = ts.transpileModule(readFileSync(src, 'utf8'), {
    fileName: src,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: module === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      sourceMap: true,
    },
  });
  const map = JSON.parse(r.sourceMapText!) as { sources: string[]; file: string };
  map.sources = [path.relative(outDir, src)];
  map.file = path.basename(outFile);
  const code = r.outputText.replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${path.basename(outFile)}.map`);
  writeFileSync(outFile, code);
  writeFileSync(`${outFile}.map`, JSON.stringify(map));
  return outFile;
}

/** Line number (1-based) of the first line of a fixture that contains `text`. */
export function lineOf(name: string, text: string): number {
  const lines = readFileSync(path.join(here, name), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`"${text}" not in ${name}`);
  return i + 1;
}
