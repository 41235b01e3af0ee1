// The UI knows the engine only through its contract (DESIGN.md): src/ui imports nothing from
// src/engine except contract.ts (types), and nothing from bullmq, ioredis or puppeteer.
import {readdirSync, readFileSync, statSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, test} from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const uiDir = join(root, 'src', 'ui');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

/** Module specifiers of every import, export-from and dynamic import of a file. */
function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const match of source.matchAll(pattern)) specifiers.push((match[1] ?? match[2] ?? match[3])!);
  return specifiers;
}

const FORBIDDEN_PACKAGES = ['bullmq', 'ioredis', 'puppeteer', 'puppeteer-core', 'systeminformation'];

describe('src/ui', () => {
  const files = filesUnder(uiDir);

  test('has files to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  test.each(files.map((file) => [relative(root, file), file]))('%s imports only the contract from the engine', (_name, file) => {
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        const target = relative(root, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts');
        const isInsideUi = target.startsWith(join('src', 'ui'));
        const isContract = target === join('src', 'engine', 'contract.ts');
        expect(isInsideUi || isContract, `${specifier} (${target})`).toBe(true);
      } else {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        expect(FORBIDDEN_PACKAGES, specifier).not.toContain(name);
      }
    }
  });

  test('the contract itself is types only', () => {
    const source = readFileSync(join(root, 'src', 'engine', 'contract.ts'), 'utf8');
    expect(source).not.toMatch(/^\s*(?:export\s+)?(?:const|let|var|function|class|enum)\s/m);
    expect(importsOf(source)).toEqual([]);
  });
});

test('the import scanner sees every form of import', () => {
  expect(importsOf(`import a from 'x';\nimport {b} from "../y.js";\nimport 'z';\nexport * from './w.js';\nconst m = await import('bullmq');`)).toEqual([
    'x',
    '../y.js',
    'z',
    './w.js',
    'bullmq',
  ]);
});
