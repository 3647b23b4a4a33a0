// Run by test/lean-module.test.ts in a fresh `node` process: loads the lean checker that
// `policyc build` wrote (`checker.js` or `checker.cjs`), asks it everything, and prints what it
// answered, with whether the whole module (`checker.full.cjs`) was loaded along the way.
// `node lean-probe.mjs <dir> <esm|cjs> <requests.json> [no-builtin-module]`
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, format, requestsFile, flag] = process.argv.slice(2);
const require = createRequire(join(dir, 'probe.cjs'));
const wholeFile = join(dir, 'checker.full.cjs');
// the ES module loads the whole module with Node's `require` too: one cache tells both
const wholeLoaded = () => Object.keys(require.cache).includes(wholeFile);
// a platform without `process.getBuiltinModule` (older Node, a browser's shim of `process`)
if (flag === 'no-builtin-module') delete process.getBuiltinModule;

const lean = format === 'cjs' ? require(join(dir, 'checker.cjs')) : await import(pathToFileURL(join(dir, 'checker.js')).href);
// a context's `now` travels as text: a working-hours condition reads a `Date`
const dated = (request) => (typeof request.context?.now === 'string' ? { ...request, context: { ...request.context, now: new Date(request.context.now) } } : request);
const parsed = JSON.parse(readFileSync(requestsFile, 'utf8'));
const [common, rare, plans] = [parsed.common.map(dated), parsed.rare.map(dated), parsed.plans.map(dated)];
const { fields, writes, roles } = parsed;

/** A decision as data, to compare. */
const d = (x) => ({ allow: x.allow, code: x.code, reason: x.reason, rule: x.rule === undefined ? null : x.rule.id });
const plain = (x) => JSON.parse(JSON.stringify(x));

const withoutKind = ({ kind, ...record }) => record;

/** Everything `checker` and `can` of a module decide for the requests: decisions first, then the rest. */
function ask(module, requests) {
  const { checker, can } = module;
  return requests.map(({ principal, action, resource, context }) => ({
    can: d(checker.can(principal, action, resource, context)),
    alone: d(can(principal, action, resource, context)),
    // the application's own record, without `kind`, through the kind's entry
    kind: checker.kinds[resource.kind] === undefined ? null : d(checker.kinds[resource.kind].can(principal, action, withoutKind(resource), context)),
  }));
}

/** An application's class: its instances are not plain objects. */
class Employee {
  constructor(fields) {
    Object.assign(this, fields);
  }
}

const out = { format };
out.common = ask(lean, common);
out.wholeAfterCommon = wholeLoaded();
// requests the entries leave to the runtime's checker: several roles, a profile, a class instance
const rareRequests = [...rare, ...common.filter((_, i) => i % 23 === 0).map((r) => ({ ...r, principal: new Employee(r.principal) }))];
out.rare = ask(lean, rareRequests);
out.plans = plans.map(({ principal, action, kind, context }) => plain(lean.checker.plan(principal, action, kind, context)));
out.fields = fields.map(({ principal, resource }) => plain(lean.checker.fields(principal, resource)));
out.redacted = fields.map(({ principal, resource }) => plain(lean.checker.redact(principal, resource)));
out.writes = writes.map(({ principal, resource, changes }) => d(lean.checker.canWrite(principal, resource, changes)));
out.roles = lean.roleManagement === undefined ? [] : roles.map(({ actor, name }) => plain(lean.roleManagement.createRole(actor, name)));
out.wholeAfterAll = wholeLoaded();

// the same questions to the whole module, as an application that loads it alone would ask them
if (out.wholeAfterAll) {
  const whole = require(wholeFile);
  out.expected = {
    common: ask(whole, common),
    rare: ask(whole, rareRequests),
    plans: plans.map(({ principal, action, kind, context }) => plain(whole.checker.plan(principal, action, kind, context))),
    fields: fields.map(({ principal, resource }) => plain(whole.checker.fields(principal, resource))),
    redacted: fields.map(({ principal, resource }) => plain(whole.checker.redact(principal, resource))),
    writes: writes.map(({ principal, resource, changes }) => d(whole.checker.canWrite(principal, resource, changes))),
    roles: whole.roleManagement === undefined ? [] : roles.map(({ actor, name }) => plain(whole.roleManagement.createRole(actor, name))),
  };
}
process.stdout.write(JSON.stringify(out));
