/**
 * One root cause, one error (issue 14): a resource without an `owner` (or `team`) used to give one
 * error per yellow or blue grant and sharing rule that needs it — nine for one missing line. The
 * grants and rules now say what they need here, and each resource gets one error that names them.
 */
import type { DiagnosticBag, Related, Span } from '../diagnostics/diagnostic.ts';
import { tick } from '../diagnostics/diagnostic.ts';
import type { ResourceSpec } from './declarations.ts';
import { spanOf } from './declarations.ts';

type Needed = 'owner' | 'team';

/** Notes listed under one error; the message counts them all. */
const MAX_NOTES = 10;

export class AttributeNeeds {
  private readonly byResource = new Map<string, { owner: Related[]; team: Related[]; words: Set<string> }>();

  /** `what` (a grant or sharing rule at `span`, written as `word`) needs `attribute` of `resource`. */
  need(resource: string, attribute: Needed, span: Span, what: string, word: string): void {
    let entry = this.byResource.get(resource);
    if (!entry) this.byResource.set(resource, (entry = { owner: [], team: [], words: new Set() }));
    entry[attribute].push({ ...span, message: what });
    if (word !== '') entry.words.add(word);
  }

  /** One error per resource that lacks what its grants and rules need, on the resource's name. */
  report(resources: ReadonlyMap<string, ResourceSpec>, bag: DiagnosticBag): void {
    for (const [name, entry] of this.byResource) {
      const spec = resources.get(name);
      if (spec === undefined) continue;
      const { model } = spec;
      const missing = (['owner', 'team'] as const).filter((a) => model[a] === undefined && entry[a].length > 0);
      if (missing.length === 0) continue;
      // a blue grant needs both; list each grant once
      const users = [...new Map([...entry.owner, ...entry.team].map((r) => [`${r.file}\u0000${r.start}`, r])).values()].sort((a, b) =>
        a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start,
      );
      const rules = users.filter((u) => u.message.startsWith('sharing rule')).length;
      const grants = users.length - rules;
      const uses = [
        ...(grants === 0 ? [] : [`${grants} grant${grants === 1 ? '' : 's'} (${[...entry.words].sort().map(tick).join(', ')})`]),
        ...(rules === 0 ? [] : [`${rules} sharing rule${rules === 1 ? '' : 's'}`]),
      ].join(' and ');
      const related = users.slice(0, MAX_NOTES);
      if (users.length > MAX_NOTES) related.push({ ...users[MAX_NOTES]!, message: `and ${users.length - MAX_NOTES} more, the first` });
      if (model.kind === 'module') {
        bag.report('LevelNeedsAttribute', spanOf(spec.origin), `${tick(name)} is a module, which has no records to own, but ${uses} need${users.length === 1 ? 's' : ''} an owner`, {
          help: 'a module is granted `green` or `red`',
          related,
        });
        continue;
      }
      const attrs = missing.map((a) => `\`${a}\``).join(' and ');
      bag.report('LevelNeedsAttribute', spanOf(spec.origin), `${tick(name)} declares no ${attrs}, needed by ${uses}`, {
        help: `add ${missing.map((a) => `\`${a}: <attribute>\``).join(' and ')} to ${tick(name)}: ${missing.includes('owner') ? 'the attribute naming the user responsible for a record' : 'the attribute naming the group a record belongs to'}`,
        related,
      });
    }
  }
}
