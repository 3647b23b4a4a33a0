/**
 * Generated code is safe whatever strings a policy holds (STYLE.md: "a name from a YAML file must
 * never be able to change the meaning of generated code"). Role, resource, module, action,
 * attribute, file and policy names full of quotes, comment markers, line terminators, prototype
 * keys and the like must compile, type-check, load without touching any global, stay inside
 * string literals of the generated code, and decide exactly as the reference interpreter says.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { compileSources, type CompileResult } from '../compiler/index.ts';
import { formatText } from '../compiler/diagnostics/format.ts';
import { fieldAccess } from '../compiler/reference/fields.ts';
import { decide, type ReferenceDecision } from '../compiler/reference/interpret.ts';
import type { Checker, Decision } from '../packages/runtime/src/index.ts';
import { importBundle } from './helpers/policy.ts';

const HOSTILE: readonly (readonly [string, string])[] = [
  ['double quote', 'say "hi"'],
  ['single quote', "it's"],
  ['backticks', 'a`b`c'],
  ['template substitution', '${globalThis.pwned = 1}'],
  ['template break-out', '`+(globalThis.pwned = 1)+`'],
  ['comment close', 'x */ globalThis.pwned = 1; /* y'],
  ['comment open', '/* x'],
  ['line comment', '// x'],
  ['newline', 'a\nglobalThis.pwned = 1'],
  ['carriage return', 'a\rglobalThis.pwned = 1'],
  ['line separator U+2028', 'a\u2028globalThis.pwned = 1'],
  ['paragraph separator U+2029', 'a\u2029globalThis.pwned = 1'],
  ['backslashes', 'a\\b\\'],
  ['escaped quote', '\\"; globalThis.pwned = 1; "'],
  ['script tag', '</script><script>globalThis.pwned = 1</script>'],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['toString', 'toString'],
  ['hasOwnProperty', 'hasOwnProperty'],
  ['valueOf', 'valueOf'],
  ['emoji', '👩‍💻🚀'],
  ['a single space', ' '],
  ['a tab', '\t'],
  ['zero-width and BOM', '\u200b\ufeff'],
  ['right-to-left override', '\u202eevil'],
  ['200 characters', 'x'.repeat(200)],
  ['all at once', `"'\`\${x}*/ /* // \n\r\u2028\u2029\\</script>😀`],
];

const RUNTIME = fileURLToPath(new URL('../packages/runtime/src/index.ts', import.meta.url));

/** An object with exactly these own keys (even `__proto__`), in this order. */
function obj(pairs: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

function essence(d: Decision | ReferenceDecision): ReferenceDecision {
  const r = d.rule;
  return r === undefined
    ? { allow: d.allow, code: d.code }
    : { allow: d.allow, code: d.code, rule: { kind: r.kind, role: r.role, declaredIn: r.declaredIn, level: r.level } };
}

/** The names of one hostile policy: `h` itself, and names made from it (at most 200 characters, as the schema allows). */
function namesOf(h: string) {
  const n = (tag: string) => (tag + h).slice(0, 200);
  return {
    policy: h,
    resource: h, action: h, otherAction: n('o'), owner: h, team: n('t'), ownerRole: n('r'), amount: n('n'),
    module: n('m'), permission: h, otherPermission: n('p'),
    role: h, boss: n('b'), child: n('c'), admin: n('a'), viaAdmin: n('d'), below: n('s'),
    group: n('g'), files: [`${h}.yaml`, n('z')] as const,
    stage: n('st'), pipeline: n('pl'), shift: h,
  };
}

/** A CEL string literal of `s`: every character outside printable ASCII, quotes and backslashes escaped. */
function celString(s: string): string {
  const escape = (ch: string): string => {
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f && ch !== '"' && ch !== '\\') return ch;
    return code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  };
  return `"${[...s].map(escape).join('')}"`;
}

/**
 * Every name of the policy is hostile: `role` reports to `boss`, shares with peers and has `below`
 * under it; `child` extends `role` and `boss` (a tie on the other action); `viaAdmin` extends `admin`.
 */
function hostilePolicy(h: string): Record<string, string> {
  const x = namesOf(h);
  const resources = obj([[x.resource, obj([
    ['actions', [x.action, 'view', x.otherAction]],
    ['attributes', obj([[x.owner, 'string'], [x.team, 'string'], [x.ownerRole, 'string'], [x.amount, 'number'], [x.stage, 'string'], [x.pipeline, 'string']])],
    ['owner', x.owner], ['team', x.team], ['ownerRole', x.ownerRole], ['stage', x.stage], ['pipeline', x.pipeline],
  ])]]);
  const modules = obj([[x.module, obj([['permissions', [x.permission, x.otherPermission]]])]]);
  const roles = obj([
    [x.role, obj([['reportsTo', x.boss], ['sharesWithPeers', true], ['grants', obj([[x.resource, obj([[x.action, 'own'], ['*', 'blue']])], [x.module, [x.permission]]])],
      ['fields', obj([[x.resource, obj([[x.owner, 'hidden'], [x.amount, 'read-only']])]])]])],
    [x.boss, obj([['grants', obj([[x.resource, obj([['*', 'team'], [x.otherAction, obj([['level', 'all'], ['when', `principal.id == ${celString(h)} || resource[${celString(x.team)}] == ${celString(h)}`]])]])], [x.module, 'green']])], ['fields', obj([[x.resource, obj([['*', 'read-only'], [x.team, 'hidden']])]])],
      // R-K5 stage and pipeline values, and R-Z10 a shift, named by the hostile string
      ['stages', obj([[x.resource, obj([[h, obj([[x.action, 'red']])]])]])], ['pipelines', obj([[x.resource, obj([[h, 'deny']])]])], ['shift', x.shift]])],
    [x.child, obj([['extends', [x.role, x.boss]], ['grants', obj([[x.resource, obj([['view', 'red']])]])]])],
    [x.admin, obj([['administrator', true]])],
    [x.viaAdmin, obj([['extends', x.admin]])],
    [x.below, obj([['reportsTo', x.role], ['grants', obj([[x.resource, obj([[x.action, obj([['level', 'all'], ['duringShift', true]])]])]])]])],
  ]);
  const shifts = obj([[x.shift, obj([['days', ['mon', 'tue', 'wed', 'thu', 'fri']], ['start', '22:00'], ['end', '06:00'], ['timeZone', 'Europe/Warsaw']])]]);
  return {
    [x.files[0]]: stringify(obj([['resources', resources], ['modules', modules], ['shifts', shifts]])),
    [x.files[1]]: stringify(obj([['roles', roles]])),
  };
}

/** Requests over every role (and an unknown one), kind, action and reach, with hostile ids, groups and attribute values. */
function hostileRequests(h: string): { principal: unknown; action: string; resource: unknown }[] {
  const x = namesOf(h);
  const roles = [x.role, x.boss, x.child, x.admin, x.viaAdmin, x.below, `${h}?`, h.toUpperCase() === h ? `${h}!` : h.toUpperCase()];
  const principals = roles.flatMap((role) => [
    obj([['id', h], ['role', role]]),
    obj([['id', 'u1'], ['role', role], ['groups', [x.group, h]]]),
    obj([['id', 'u1'], ['role', role], ['groups', h]]),
    obj([['id', 'u1'], ['role', role], ['shift', h]]),
  ]);
  const records = [
    obj([['kind', x.resource]]),
    obj([['kind', x.resource], [x.owner, h]]),
    obj([['kind', x.resource], [x.owner, 'u2'], [x.team, h], [x.ownerRole, x.boss]]),
    obj([['kind', x.resource], [x.owner, 'u2'], [x.team, 'south'], [x.ownerRole, x.below]]),
    obj([['kind', x.resource], [x.owner, 'u2'], [x.team, 'south'], [x.ownerRole, x.role]]),
    obj([['kind', x.resource], [x.owner, 'u2'], [x.team, 'south']]),
    obj([['kind', x.resource], [x.owner, 'u2'], [x.team, 7], [x.ownerRole, h]]),
    obj([['kind', x.resource], [x.owner, h], [x.team, h], [x.stage, h], [x.pipeline, 'main']]),
    obj([['kind', x.resource], [x.owner, h], [x.team, 'south'], [x.stage, 'open'], [x.pipeline, h]]),
    obj([['kind', x.resource], [x.owner, 'u2'], [x.team, 'south'], [x.stage, 'open'], [x.pipeline, 'main']]),
  ];
  const out: { principal: unknown; action: string; resource: unknown }[] = [];
  for (const principal of principals) {
    for (const resource of records) for (const action of [x.action, 'view', x.otherAction, '*', 'toString']) out.push({ principal, action, resource });
    for (const action of [x.permission, x.otherPermission, '*']) out.push({ principal, action, resource: obj([['kind', x.module], [x.owner, h]]) });
    out.push({ principal, action: x.action, resource: obj([['kind', `${h}?`]]) });
  }
  return out;
}

function compileErrors(result: CompileResult): string {
  return result.output ? '' : formatText(result.diagnostics, result.sources);
}

/**
 * The generated code with every string literal and comment blanked out, read with TypeScript's
 * own scanner, and the values of the string literals; anything the scanner finds odd (an
 * unterminated literal, a template, an unknown character) is a problem.
 */
function codeOutsideLiterals(source: string): { code: string; bare: string; identifiers: string[]; literals: Set<string>; problems: string[] } {
  const problems: string[] = [];
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, source, (message) => problems.push(message.message));
  let code = '';
  /** `code` with every identifier replaced by `_`. */
  let bare = '';
  const identifiers: string[] = [];
  const literals = new Set<string>();
  for (let t = scanner.scan(); t !== ts.SyntaxKind.EndOfFileToken; t = scanner.scan()) {
    const text = scanner.getTokenText();
    if (t === ts.SyntaxKind.StringLiteral) {
      literals.add(scanner.getTokenValue());
      code += ' ';
      bare += ' ';
    } else if (t === ts.SyntaxKind.SingleLineCommentTrivia || t === ts.SyntaxKind.MultiLineCommentTrivia) {
      code += ' ';
      bare += ' ';
    } else if (t === ts.SyntaxKind.Unknown || t === ts.SyntaxKind.NoSubstitutionTemplateLiteral || t === ts.SyntaxKind.TemplateHead || t === ts.SyntaxKind.ConflictMarkerTrivia) {
      problems.push(`unexpected ${ts.SyntaxKind[t]} token ${JSON.stringify(text)} at ${scanner.getTokenStart()}`);
    } else {
      if (t === ts.SyntaxKind.Identifier) identifiers.push(text);
      code += text;
      bare += t === ts.SyntaxKind.Identifier ? '_' : text;
    }
  }
  return { code, bare, identifiers, literals, problems };
}

/**
 * Asserts that `names` reach the generated code only inside string literals: each is the exact
 * value of some literal, and what is left once literals and comments are blanked out is plain code.
 * `fragments` must not appear in that code outside identifiers (which are sanitised: `[A-Za-z0-9_]`);
 * `words` never as an identifier or a property of their own.
 */
function expectOnlyInLiterals(checkerTs: string, names: readonly string[], fragments: readonly string[] = [], words: readonly string[] = []): void {
  const { code, bare, identifiers, literals, problems } = codeOutsideLiterals(checkerTs);
  expect(problems).toEqual([]);
  for (const name of names) expect(literals.has(name), `${JSON.stringify(name)} is carried by a string literal`).toBe(true);
  // the code itself is plain ASCII without quotes, escapes, templates or comment markers
  expect(code).toMatch(/^[\n\x20-\x7e]*$/);
  for (const fragment of ['"', "'", '`', '\\', '${', '//', '/*', '*/', ...fragments]) expect(bare, `code outside literals holds ${fragment}`).not.toContain(fragment);
  expect(identifiers.every((i) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(i))).toBe(true);
  for (const word of words) {
    // a word may be part of a generated identifier (`can_toString_view`), never an identifier or a property of its own
    expect(identifiers).not.toContain(word);
    expect(code).not.toMatch(new RegExp(`\\.\\s*${word}\\b`));
  }
}

/** Everything a generated module could reach by accident. */
function globalState(): Map<string, unknown> {
  const state = new Map<string, unknown>();
  const record = (label: string, target: object) => {
    for (const key of Reflect.ownKeys(target)) {
      const d = Reflect.getOwnPropertyDescriptor(target, key)!;
      state.set(`${label}.${String(key)}`, 'value' in d ? d.value : d.get);
    }
  };
  record('globalThis', globalThis);
  record('Object.prototype', Object.prototype);
  record('Array.prototype', Array.prototype);
  record('Function.prototype', Function.prototype);
  record('String.prototype', String.prototype);
  return state;
}

/**
 * Type-checks generated checkers (and `.d.ts` declarations) together, with the project's strict
 * flags; returns tsc's report.
 */
function typeCheck(sources: readonly string[], declarations: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'policyc-hostile-'));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const files = [...sources.map((text, i) => write(`checker${i}.ts`, text)), ...declarations.map((text, i) => write(`checker${i}.d.ts`.replace('checker', 'declared'), text))];
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noImplicitOverride: true,
    noFallthroughCasesInSwitch: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    allowImportingTsExtensions: true,
    noEmit: true,
    paths: { '@policyc/runtime': [RUNTIME], '@policyc/runtime/cel': [RUNTIME.replace(/index\.ts$/, 'cel.ts')] },
  };
  const program = ts.createProgram(files, options);
  // the generated files' diagnostics and the program's own: the runtime's sources they import are
  // type-checked by test/typecheck.test.ts, and TypeScript's lib files are not ours to check
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...files.flatMap((file) => {
      const source = program.getSourceFile(file);
      if (source === undefined) throw new Error(`${file} is not part of the program`);
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    }),
  ];
  rmSync(dir, { recursive: true, force: true });
  return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' });
}

interface Loaded {
  readonly files: Record<string, string>;
  readonly parsed: unknown[];
  readonly result: CompileResult;
}

async function compileHostile(name: string, files: Record<string, string>): Promise<Loaded> {
  const result = await compileSources(name, Object.entries(files).map(([path, text]) => ({ path, text })));
  return { files, parsed: Object.values(files).map((t) => parse(t) as unknown), result };
}

/** Loads the bundle and runs every request; globals must be untouched, decisions the reference's. */
async function expectSafeDecisions(loaded: Loaded, requests: readonly { principal: unknown; action: string; resource: unknown }[]): Promise<void> {
  const before = globalState();
  const checker = (await importBundle(loaded.result.output!.bundle)).checker as Checker;
  // Tuesday 2026-03-24 23:30 in Warsaw: within the hostile night shift
  const context = { now: new Date('2026-03-24T22:30:00Z') };
  const decisions = requests.map((q) => checker.can(q.principal as never, q.action, q.resource as never, context));
  const after = globalState();
  expect([...after.keys()].filter((k) => !before.has(k)), 'new global or prototype keys').toEqual([]);
  for (const [key, value] of before) expect(Object.is(after.get(key), value), `${key} changed`).toBe(true);

  const fileNames = Object.keys(loaded.files);
  requests.forEach((q, i) => {
    const got = decisions[i]!;
    const want = decide(loaded.parsed, q.principal, q.action, q.resource, context);
    const about = `${JSON.stringify(q)}\n${got.reason}`;
    expect(essence(got), about).toEqual(want);
    if (got.rule && got.rule.kind !== 'administrator') {
      // the rule names the very kind and action asked about, in one of the policy's files
      expect(got.rule.resource, about).toBe((q.resource as { kind: string }).kind);
      expect(got.rule.action, about).toBe(q.action);
      expect(fileNames, about).toContain(got.rule.file);
    }
  });
}

describe('hostile names: the checks themselves catch a leak', () => {
  it('a name that escapes its literal or comment is found outside literals', () => {
    expect(() => expectOnlyInLiterals('const a = "x"; globalThis.pwned = 1;', ['x'], [], ['pwned'])).toThrow();
    expect(() => expectOnlyInLiterals('/** role "a */ pwned() /*" */\nconst a = 1;', [], ['()'])).toThrow();
    expect(() => expectOnlyInLiterals('const a = `${x}`;', [])).toThrow();
    expect(() => expectOnlyInLiterals('const a = "x\u2028y";', ['x\u2028y'])).not.toThrow();
    expect(() => expectOnlyInLiterals('const a = "x\u2028y";', ['x\u2029y'])).toThrow();
  });

  it('the type-check reports errors and resolves the runtime', () => {
    expect(typeCheck(['import { definePolicy } from "@policyc/runtime";\nexport const n: number = definePolicy;\n'])).toContain('TS2322');
    expect(typeCheck(['import { FORMAT_VERSION } from "@policyc/runtime";\nexport const n: number = FORMAT_VERSION;\n'])).toBe('');
    expect(typeCheck([], ['export declare const x: Unknown;\n'])).toContain('TS2304');
  });
});

describe('hostile names: generated code is safe whatever strings a policy holds', () => {
  const compiled = new Map<string, Promise<Loaded>>();
  const load = (h: string) => {
    let p = compiled.get(h);
    if (!p) compiled.set(h, (p = compileHostile(h, hostilePolicy(h))));
    return p;
  };

  describe.each(HOSTILE)('%s', (_label, h) => {
    it('compiles without errors', async () => {
      const { result } = await load(h);
      expect(compileErrors(result)).toBe('');
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    });

    it('R-K3 the name reaches generated code only inside string literals', async () => {
      const { result } = await load(h);
      const x = namesOf(h);
      const names = [h, x.team, x.boss, x.module, ...x.files];
      // what the hostile strings try to run, and any of them with a character that is not a word or a space
      const fragments = ['</', ...names.filter((n) => /[^\w\s]/.test(n))];
      const words = ['pwned', 'globalThis', ...names.filter((n) => /^\w+$/.test(n))];
      expectOnlyInLiterals(result.output!.checkerTs, names, fragments, words);
      expectOnlyInLiterals(result.output!.declarations, [h, x.team, x.module], fragments, words);
    });

    it('R-K1 R-K3 R-K4 R-Z1 R-Z3 R-Z8 loads without touching globals and decides as the reference interpreter', async () => {
      const loaded = await load(h);
      await expectSafeDecisions(loaded, hostileRequests(h));
      expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
    });

    it('R-K6 R-Z9 field masks, redaction and write checks keep hostile field names as plain keys, as the reference says', async () => {
      const loaded = await load(h);
      const x = namesOf(h);
      const files = loaded.parsed;
      const before = globalState();
      const checker = (await importBundle(loaded.result.output!.bundle)).checker as Checker;
      const fields = [x.owner, x.team, x.ownerRole, x.amount, x.stage, x.pipeline];
      for (const { principal, resource } of hostileRequests(h)) {
        const mask = checker.fields(principal as never, resource as never);
        const kind = (resource as { kind: string }).kind;
        expect(Object.keys(mask)).toEqual(kind === x.resource ? fields : []);
        for (const f of fields) expect(Object.prototype.hasOwnProperty.call(mask, f) ? mask[f] : undefined).toBe(fieldAccess(files, principal, resource, f));
        const shown = checker.redact(principal as never, resource as never) as Record<string, unknown>;
        for (const key of Object.keys(shown)) expect(key === 'kind' || mask[key] !== 'hidden').toBe(true);
        expect(Object.getPrototypeOf(shown)).toBe(Object.prototype);
        checker.canWrite(principal as never, resource as never, obj([[x.owner, 'u9']]) as never);
      }
      const owner = obj([['id', 'u1'], ['role', x.role]]);
      const own = obj([['kind', x.resource], [x.owner, 'u1']]);
      expect(checker.fields(owner as never, own as never)[x.owner]).toBe('hidden');
      // the kind has no `edit` action, so nothing of it can be written
      expect(checker.canWrite(owner as never, own as never, obj([[x.team, 'north']]) as never)).toMatchObject({ allow: false, code: 'unknown-action' });
      const after = globalState();
      expect([...after.keys()].filter((k) => !before.has(k)), 'new global or prototype keys').toEqual([]);
      for (const [key, value] of before) expect(Object.is(after.get(key), value), `${key} changed`).toBe(true);
    });
  });

  it('every generated checker and declaration file type-checks under strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes', async () => {
    const all = await Promise.all(HOSTILE.map(([, h]) => load(h)));
    expect(typeCheck(all.map((l) => l.result.output!.checkerTs), all.map((l) => l.result.output!.declarations))).toBe('');
  });
});

describe('hostile names: arbitrary unicode names (fast-check)', () => {
  const name = fc.oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
    fc.constantFrom('__proto__', 'constructor', 'prototype', '"', '`${', '*/', '\u2028', '\\'),
  );
  const folded = (s: string) => s.toLowerCase();
  const distinct = (xs: readonly string[], key: (s: string) => string = (s) => s) => new Set(xs.map(key)).size === xs.length;

  it('R-K1 R-K3 R-Z1 R-Z3 random names compile, type-check, stay in literals and decide as the reference', async () => {
    const sources: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.record({ roles: fc.tuple(name, name, name), kinds: fc.tuple(name, name), actions: fc.tuple(name, name), attrs: fc.tuple(name, name, name), file: name, policy: name, id: name }),
        async ({ roles, kinds, actions, attrs, file, policy, id }) => {
          fc.pre(distinct(roles, folded) && distinct(kinds) && distinct(actions) && distinct(attrs) && !actions.includes('*'));
          const [role, boss, admin] = roles;
          const [kind, module] = kinds;
          const [owner, team, ownerRole] = attrs;
          const doc = obj([
            ['resources', obj([[kind, obj([['actions', [...actions]], ['attributes', obj(attrs.map((a) => [a, 'string'] as const))], ['owner', owner], ['team', team], ['ownerRole', ownerRole]])]])],
            ['modules', obj([[module, obj([['permissions', [actions[0]]]])]])],
            ['roles', obj([
              [role, obj([['reportsTo', boss], ['sharesWithPeers', true], ['grants', obj([[kind, obj([[actions[0], 'own'], ['*', 'team']])], [module, [actions[0]]]])]])],
              [boss, obj([['extends', [role]], ['grants', obj([[kind, obj([[actions[1], 'green']])]])]])],
              [admin, obj([['administrator', true]])],
            ])],
          ]);
          const text = stringify(doc);
          fc.pre(JSON.stringify(parse(text)) === JSON.stringify(doc)); // names YAML itself cannot carry are out of scope
          const loaded = await compileHostile(policy, { [file]: text });
          expect(compileErrors(loaded.result), text).toBe('');
          sources.push(loaded.result.output!.checkerTs);
          expectOnlyInLiterals(loaded.result.output!.checkerTs, [...roles, ...kinds, ...actions, ...attrs, file, policy]);
          const requests = [role, boss, admin, `${role}\u0000`].flatMap((r) =>
            [...actions, '*'].flatMap((action) =>
              [
                obj([['kind', kind]]),
                obj([['kind', kind], [owner, id]]),
                obj([['kind', kind], [owner, `${id}2`], [team, id], [ownerRole, role]]),
                obj([['kind', kind], [owner, `${id}2`], [team, `${id}3`], [ownerRole, role]]),
                obj([['kind', module]]),
              ].map((resource) => ({ principal: obj([['id', id], ['role', r], ['groups', [id]]]), action, resource })),
            ),
          );
          await expectSafeDecisions(loaded, requests);
        },
      ),
      { numRuns: Number(process.env.HOSTILE_RUNS ?? 40) },
    );
    expect(sources.length).toBeGreaterThan(30);
    expect(typeCheck(sources)).toBe('');
  });
});
