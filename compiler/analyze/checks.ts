/** Semantic checks of each resource (its actions, levels and attributes) and of each role's grants. */
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';
import { LEVEL_OF_WORD } from '../ir/model.ts';
import { spanOf, type ResourceSpec, type RoleSpec } from './declarations.ts';
import { AttributeNeeds } from './needs.ts';

export function checkResource(spec: ResourceSpec, resources: ReadonlyMap<string, ResourceSpec>, bag: DiagnosticBag): void {
  const { model, origin } = spec;
  const checkActions = (list: readonly string[] | undefined, path: (string | number)[]): void =>
    list?.forEach((action, i) => {
      if (!model.actions.includes(action)) {
        bag.report('UnknownAction', spanOf(origin, [...path, i], 'value'), `${tick(model.name)} has no action ${tick(action)}`, {
          help: didYouMean(action, model.actions) ?? `its actions are ${model.actions.map(tick).join(', ')}`,
        });
      }
    });
  const raw = origin.file.value as Record<string, Record<string, Record<string, unknown>>>;
  const written = raw[origin.path[0] as string]?.[model.name] ?? {};
  const access = written.access as { read?: string[]; write?: string[] } | undefined;
  checkActions(access?.read, ['access', 'read']);
  checkActions(access?.write, ['access', 'write']);
  const attribute = (name: string, type: string, path: (string | number)[]): void => {
    const declared = model.attributes.find((a) => a.name === name);
    if (!declared) {
      bag.report('UnknownAttribute', spanOf(origin, path, 'value'), `${tick(model.name)} has no attribute ${tick(name)}`, {
        help: didYouMean(name, model.attributes.map((a) => a.name)) ?? `declare it under \`attributes\`, for example \`${name}: ${type}\``,
      });
    } else if (declared.type !== type) {
      bag.report('AttributeType', spanOf(origin, path, 'value'), `${tick(path[0] as string)} needs a ${type} attribute, but ${tick(name)} is ${declared.type}`);
    }
  };
  if (spec.subscribers) {
    attribute(spec.subscribers.attribute, 'string[]', ['subscribers', 'attribute']);
    checkActions((written.subscribers as { actions?: string[] }).actions, ['subscribers', 'actions']);
    spec.subscribers.fields.forEach((field, i) => {
      if (!model.attributes.some((a) => a.name === field)) {
        bag.report('UnknownAttribute', spanOf(origin, ['subscribers', 'fields', i], 'value'), `${tick(model.name)} has no attribute ${tick(field)}`, {
          help: didYouMean(field, model.attributes.map((a) => a.name)),
        });
      }
    });
  }
  if (spec.parent) {
    const { parent } = spec;
    attribute(parent.attribute, 'record', ['parent', 'attribute']);
    checkActions(parent.read, ['parent', 'read']);
    checkActions(parent.write, ['parent', 'write']);
    parent.resources.forEach((name, i) => {
      const target = resources.get(name);
      const at = spanOf(origin, ['parent', 'resources', i], 'value');
      if (target === undefined) bag.report('UnknownResource', at, `unknown resource ${tick(name)}`, { help: didYouMean(name, resources.keys()) });
      else if (target.model.kind === 'module') bag.report('UnknownResource', at, `${tick(name)} is a module: it has no records to be a parent`);
      else if (target.model.read.length === 0 || target.model.write.length === 0) {
        bag.report('UnknownAction', at, `a parent needs a read and a write action, but ${tick(name)} has no ${target.model.read.length === 0 ? 'read' : 'write'} action`, {
          help: `list them under \`access\` in ${tick(name)}, for example \`access: { read: [view], write: [edit] }\``,
        });
      }
    });
  }
  model.actions.forEach((action, i) => {
    if (action === '*') {
      bag.report('ReservedName', spanOf(origin, [spec.actionsKey, i], 'value'), '`*` cannot be an action: in grants it stands for every action', {
        help: 'give the action a name',
      });
    }
  });
  if (model.attributes.some((a) => a.name === 'kind')) {
    bag.report('ReservedName', spanOf(origin, ['attributes', 'kind']), '`kind` cannot be an attribute: every resource in a check carries its kind there', {
      help: 'rename the attribute, for example `type` or `category`',
    });
  }
  for (const key of ['owner', 'team', 'ownerRole', 'organisation'] as const) {
    const attr = model[key];
    if (attr === undefined) continue;
    const declared = model.attributes.find((a) => a.name === attr);
    if (!declared) {
      bag.report('UnknownAttribute', spanOf(origin, [key], 'value'), `${tick(model.name)} has no attribute ${tick(attr)}`, {
        help: didYouMean(attr, model.attributes.map((a) => a.name)) ?? `declare it under \`attributes\`, for example \`${attr}: string\``,
      });
    } else if (declared.type !== 'string') {
      bag.report('AttributeType', spanOf(origin, [key], 'value'), `${tick(key)} needs a string attribute, but ${tick(attr)} is ${declared.type}`);
    }
  }
}

export function checkGrants(role: RoleSpec, resources: ReadonlyMap<string, ResourceSpec>, bag: DiagnosticBag, needs: AttributeNeeds): void {
  for (const [name, grant] of role.grants) {
    const resource = resources.get(name);
    if (!resource) {
      bag.report('UnknownResource', spanOf(role.origin, ['grants', name]), `unknown resource or module ${tick(name)}`, {
        help: didYouMean(name, resources.keys()),
      });
      continue;
    }
    if (resource.parent !== undefined) {
      bag.report('GrantOnChild', spanOf(role.origin, ['grants', name]), `${tick(name)} records follow their parent record, so a grant on them has no effect`, {
        help: `grant on the parent (${resource.parent.resources.map(tick).join(', ')}) instead`,
      });
      continue;
    }
    const checkAction = (action: string, path: (string | number)[], part: 'key' | 'value'): void => {
      if ((action === '*' && part === 'key') || resource.model.actions.includes(action)) return;
      if (action === '*') {
        bag.report('UnknownAction', spanOf(role.origin, ['grants', name, ...path], part), '`*` in a list grants nothing', {
          help: `write \`${name}: green\` to grant every action`,
        });
        return;
      }
      bag.report('UnknownAction', spanOf(role.origin, ['grants', name, ...path], part), `${tick(name)} has no action ${tick(action)}`, {
        help: didYouMean(action, resource.model.actions) ?? `its actions are ${resource.model.actions.map(tick).join(', ')}`,
      });
    };
    const checkLevel = (word: string, path: (string | number)[]): void => {
      const level = LEVEL_OF_WORD.get(word);
      if (level !== 'own' && level !== 'team') return;
      // only a missing attribute is reported: a large policy has tens of thousands of such grants
      const owner = resource.model.owner === undefined;
      const team = level === 'team' && resource.model.team === undefined;
      if (!owner && !team) return;
      const span = spanOf(role.origin, ['grants', name, ...path], 'value');
      const what = `${tick(role.name)} grants ${path.length === 0 || path[0] === '*' ? 'every action' : tick(String(path[0]))} as ${tick(word)}`;
      if (owner) needs.need(name, 'owner', span, what, word);
      if (team) needs.need(name, 'team', span, what, word);
    };
    if (typeof grant === 'string') checkLevel(grant, []);
    else if (Array.isArray(grant)) grant.forEach((action, i) => checkAction(action, [i], 'value'));
    else
      for (const [action, word] of grant as ReadonlyMap<string, string>) {
        checkAction(action, [action], 'key');
        checkLevel(word, [action]);
      }
  }
}
