/**
 * `policyc init <dir> --template kommo|gtg|zoho|org-admin [--force]`: a starting policy set with
 * its decision tables, copied from a bundled example (`policies/<example>`, shipped in the npm
 * package). The copy is the example itself, so what the examples' tests prove of it — the GTG
 * default roles are the seed's (R-G2), the organisation roles the seed's table (R-O1) — holds
 * for the starting point. It refuses to write into a folder that is not empty unless `--force`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, UsageError, type Io } from './io.ts';

/** Template name → the bundled example it copies. */
export const TEMPLATES: Readonly<Record<string, string>> = {
  kommo: 'kommo-crm',
  gtg: 'gtg-marketing',
  zoho: 'zoho-hierarchy',
  'org-admin': 'org-admin',
};

export interface InitFlags {
  readonly template: string;
  readonly force?: boolean;
}

export function initCommand(dir: string, opts: InitFlags, io: Io): number {
  const example = Object.hasOwn(TEMPLATES, opts.template) ? TEMPLATES[opts.template] : undefined;
  if (example === undefined) throw new UsageError(`no template \`${opts.template}\`: choose one of ${Object.keys(TEMPLATES).join(', ')}`);
  const source = join(packageRoot(), 'policies', example);
  const target = resolve(io.cwd, dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new UsageError(`\`${dir}\` is not a folder`);
    if (readdirSync(target).length > 0 && opts.force !== true) throw new UsageError(`\`${dir}\` is not empty: choose an empty folder, or pass --force to write the template's files into it (files of the same name are replaced)`);
  }
  const files = templateFiles(source);
  mkdirSync(target, { recursive: true });
  const schemas = join(packageRoot(), 'schemas');
  for (const file of files) {
    const text = readFileSync(join(source, file), 'utf8');
    writeFileSync(join(target, file), withSchemaPath(text, relative(target, schemas)));
  }
  io.out(`wrote ${files.length} files to ${dir} from the template \`${opts.template}\` (${files.join(', ')})\nnext: policyc check ${dir} && policyc test ${dir}\n`);
  return EXIT.ok;
}

/** The template's policy files and decision tables (its `*.test.ts` belong to policyc's own tests). */
export function templateFiles(source: string): string[] {
  return readdirSync(source)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}

/** The editor's schema comment points at `../../schemas/` in the repository; in the new folder, at the installed package's. */
function withSchemaPath(text: string, schemas: string): string {
  const path = schemas.split(sep).join('/');
  return text.replace(/^(# yaml-language-server: \$schema=)\S*\/schemas\/(\S+)$/m, (_, head: string, file: string) => `${head}${path}/${file}`);
}

/** The folder of policyc's package.json: `policies/` and `schemas/` are beside it (sources and `dist/` alike). */
export function packageRoot(): string {
  // nearest first: `dist/` is one level below the package, `compiler/cli/` two
  for (const up of ['../', '../../']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (manifest.name === 'policyc') return dir;
    } catch {
      // not this one
    }
  }
  throw new Error('policyc internal error: cannot find the package folder of policyc');
}
