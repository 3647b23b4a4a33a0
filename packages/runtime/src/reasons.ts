/**
 * The words of decisions: a reason for each way a rule can decide (`Path`), with the rule's
 * source position. The planner installs {@link explain} into its policy (`explainWith`), so every
 * checker that has `plan` — the whole `checker` object — gives these reasons; a bundle of a
 * checker's `can` alone leaves this file out and gives the short form of policy.ts.
 *
 * No dependencies; imports nothing from the compiler.
 */
import type { Level, Path, RuleRef } from './types.js';

const COLOUR: Readonly<Record<Level, string>> = { deny: 'red', own: 'yellow', team: 'blue', all: 'green' };

/** A name from the policy or the request, quoted in a reason. */
export const tick = (s: string): string => '`' + s + '`';

/** What a grant says, with its source position: the start of most reasons and of a plan's. */
export function grantText(rule: RuleRef): string {
  const inherited = rule.declaredIn === rule.role ? '' : ` (inherited from ${tick(rule.declaredIn)})`;
  const when = rule.condition === undefined ? '' : ` when ${tick(rule.condition)}`;
  return `role ${tick(rule.role)} grants ${tick(rule.action)} on ${tick(rule.resource)} as ${rule.level} (${COLOUR[rule.level]})${when}${inherited} at ${rule.file}:${rule.line}:${rule.column}`;
}

const at = (rule: RuleRef): string => `${rule.file}:${rule.line}:${rule.column}`;
const inherited = (rule: RuleRef): string => (rule.declaredIn === rule.role ? '' : ` (inherited from ${tick(rule.declaredIn)})`);
// the makers are free of side effects, so that a bundler leaves the table out of `can` alone

/** "allowed: <the grant>" or "denied: <the grant>", then `then`. */
/* @__NO_SIDE_EFFECTS__ */
function granted(allowed: boolean, then: string): (rule: RuleRef) => string {
  return (rule) => `${allowed ? 'allowed' : 'denied'}: ${grantText(rule)}${then}`;
}

/** A record without the string attribute a grant needs. */
/* @__NO_SIDE_EFFECTS__ */
function missing(attribute: string): (rule: RuleRef) => string {
  return (rule) => `denied: the ${tick(rule.resource)} record has no string ${attribute} attribute, needed by ${grantText(rule)}`;
}

/** Records that follow their parent record (R-Z11). */
/* @__NO_SIDE_EFFECTS__ */
function parent(allowed: boolean, what: 'read' | 'write'): (rule: RuleRef) => string {
  return (rule) => `${allowed ? 'allowed' : 'denied'}: ${tick(rule.resource)} records follow their parent record (${at(rule)}), and the principal may ${allowed ? '' : 'not '}${what} the parent`;
}

/**
 * The reason of each way of deciding, by `Path` (types.ts): a function each, so that the first
 * decision after import compiles the one it writes, not the text of all (issue 17).
 */
const REASONS: readonly ((rule: RuleRef) => string)[] = [
  /* Admin */ (rule) => `allowed: ${tick(rule.role)} is an administrator role${inherited(rule)} at ${at(rule)}`,
  /* All */ granted(true, ''),
  /* Own */ granted(true, ', and the principal is responsible for the record'),
  /* Team */ granted(true, ", and the record's team is one of the principal's groups"),
  /* Hierarchy */ (rule) => `allowed: ${grantText(rule)}, and the record's owner has a role below ${tick(rule.role)}`,
  /* Peer */ (rule) => `allowed: ${grantText(rule)}, and the record's owner is a peer in ${tick(rule.role)}, which shares data with peers`,
  /* Denied */ (rule) =>
    `denied: role ${tick(rule.role)} denies ${tick(rule.action)} on ${tick(rule.resource)} (red)${rule.condition === undefined ? '' : ` when ${tick(rule.condition)}`}${inherited(rule)} at ${at(rule)}`,
  /* DefaultDeny */ (rule) => `denied: role ${tick(rule.role)} (${at(rule)}) has no grant for ${tick(rule.action)} on ${tick(rule.resource)}, so the default deny applies`,
  /* NotReached */ granted(false, ', and the record is not one the principal reaches'),
  /* MissingOwner */ missing('owner'),
  /* MissingTeam */ missing('team'),
  /* MissingOwnerRole */ (rule) => `denied: the ${tick(rule.resource)} record has no string owner-role attribute, needed by the hierarchy of ${tick(rule.role)}`,
  /* InvalidGroups */ (rule) => `denied: the principal's \`groups\` is not a list of strings, needed by ${grantText(rule)}`,
  /* Group */ granted(true, ", and the record's owner has a role that belongs to one of the principal's groups"),
  /* Reports */ granted(true, ", and the record's owner reports to the principal"),
  /* Shared */ (rule) => `allowed: sharing rule ${tick(rule.name ?? '?')} at ${at(rule)} shares these ${tick(rule.resource)} records with the principal`,
  /* Public */ (rule) =>
    `allowed: ${tick(rule.resource)} records are public by the org-wide default at ${at(rule)}, and role ${tick(rule.role)} may ${tick(rule.action)} them${inherited(rule)}`,
  /* Subscriber */ (rule) => `allowed: the principal subscribes to this ${tick(rule.resource)} record, and subscribers may do this (${at(rule)})`,
  /* MissingSubscribers */ (rule) => `denied: the ${tick(rule.resource)} record has no list of subscribers, needed by ${at(rule)}`,
  /* MissingReports */ (rule) => `denied: the principal has no \`reports\` list, needed by the reporting hierarchy for ${grantText(rule)}`,
  /* ParentRead */ parent(true, 'read'),
  /* ParentWrite */ parent(true, 'write'),
  /* ParentNoRead */ parent(false, 'read'),
  /* ParentNoWrite */ parent(false, 'write'),
  /* MissingParent */ (rule) => `denied: the ${tick(rule.resource)} record has no parent record of a kind declared at ${at(rule)}`,
  /* ConditionNotMet */ granted(false, ', and the condition does not hold'),
  /* ConditionFailed */ granted(false, ', and the condition could not be evaluated (a missing attribute or context value, or a value of the wrong type)'),
  /* ConditionOverBudget */ granted(false, ', and the condition went over its cost budget (`limits.conditionBudget`)'),
  /* TopPeer */ (rule) => `allowed: ${grantText(rule)}, and the record's owner holds the top role ${tick(rule.role)} too, which reaches every record (R-Z1)`,
];

/** The reason of the decision of `rule` taken along `path`: one line for people, with the rule's position. */
export function explain(rule: RuleRef, path: Path): string {
  return REASONS[path]?.(rule) ?? '';
}
