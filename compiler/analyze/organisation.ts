/**
 * The organisation section (seed 004): roles with their capabilities and whom they manage,
 * checked for the invariants a user-management feature must keep — somebody can always
 * manage the role that must be kept (R-O2), and no role hands out more than it holds.
 */
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import type { OrganisationModel, OrganisationRoleModel } from '../ir/model.ts';
import type { PolicyFile } from '../load/load.ts';
import { spanOf, type Origin, type Where } from './declarations.ts';

type Raw = Record<string, unknown>;
const entries = (v: unknown): [string, unknown][] => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v as Raw) : []);

export function analyzeOrganisation(files: readonly PolicyFile[], bag: DiagnosticBag, where: Where): OrganisationModel | undefined {
  let found: { raw: Raw; origin: Origin } | undefined;
  for (const file of files) {
    const raw = (file.value as Raw | null)?.organisation;
    if (raw === undefined) continue;
    const origin: Origin = { file, path: ['organisation'] };
    if (found) {
      bag.report('DuplicateName', spanOf(origin), 'the organisation is defined twice', {
        related: [{ ...spanOf(found.origin), message: 'first defined here' }],
      });
      continue;
    }
    found = { raw: raw as Raw, origin };
  }
  if (!found) return undefined;
  const { raw, origin } = found;
  const capabilities = raw.capabilities as string[];
  const names = entries(raw.roles).map(([name]) => name);

  const roles: OrganisationRoleModel[] = entries(raw.roles).map(([name, value]) => {
    const role = value as Raw;
    const at = (...path: (string | number)[]) => spanOf(origin, ['roles', name, ...path], 'value');
    let own: string[];
    if (role.capabilities === 'all') own = [...capabilities];
    else {
      own = [];
      ((role.capabilities ?? []) as string[]).forEach((capability, i) => {
        if (capabilities.includes(capability)) own.push(capability);
        else bag.report('UnknownCapability', at('capabilities', i), `unknown capability ${tick(capability)}`, { help: didYouMean(capability, capabilities) ?? 'add it under `organisation.capabilities`' });
      });
    }
    const manages = ((role.manages ?? []) as string[]).filter((other, i) => {
      if (names.includes(other)) return true;
      bag.report('UnknownRole', at('manages', i), `unknown organisation role ${tick(other)}`, { help: didYouMean(other, names) });
      return false;
    });
    return {
      name,
      capabilities: own,
      manages,
      assignsWorkspaces: role.assignsWorkspaces === true,
      workspaces: role.workspaces === 'assigned' ? 'assigned' : role.workspaces === 'all' ? 'all' : own.length === 0 ? 'assigned' : 'all',
      source: where(spanOf(origin, ['roles', name])),
    };
  });
  const escalationAllowed = new Set(entries(raw.roles).filter(([, role]) => (role as Raw).allowEscalation === true).map(([name]) => name));

  const keepOne = raw.keepOne as string;
  if (!names.includes(keepOne)) {
    bag.report('UnknownRole', spanOf(origin, ['keepOne'], 'value'), `unknown organisation role ${tick(keepOne)}`, { help: didYouMean(keepOne, names) });
  } else if (!roles.some((r) => r.manages.includes(keepOne))) {
    bag.report('NoKeeper', spanOf(origin, ['keepOne'], 'value'), `no organisation role can manage ${tick(keepOne)}, so nobody could ever add one or hand the role over`, {
      help: `add ${tick(keepOne)} to the \`manages\` of a role, usually ${tick(keepOne)} itself`,
    });
  }

  // privilege escalation: whoever hands out a role must hold everything that role holds
  for (const role of roles) {
    if (escalationAllowed.has(role.name)) continue;
    role.manages.forEach((other) => {
      const target = roles.find((r) => r.name === other)!;
      const missing = target.capabilities.filter((c) => !role.capabilities.includes(c));
      if (missing.length === 0) return;
      const i = (((raw.roles as Raw)[role.name] as Raw).manages as string[]).indexOf(other);
      bag.report('PrivilegeEscalation', spanOf(origin, ['roles', role.name, 'manages', i], 'value'), `${tick(role.name)} may make users ${tick(other)}, which holds ${missing.map(tick).join(', ')} that ${tick(role.name)} lacks`, {
        help: `escalation path: a ${tick(role.name)} makes a user (or themself, through another ${tick(role.name)}) ${tick(other)}; remove ${tick(other)} from \`manages\`, or set \`allowEscalation: true\` on ${tick(role.name)} if this is intended`,
      });
    });
  }

  return {
    capabilities,
    roles,
    keepOne,
    maxWorkspacesPerStep: typeof raw.maxWorkspacesPerStep === 'number' ? raw.maxWorkspacesPerStep : undefined,
    source: where(spanOf(origin)),
  };
}
