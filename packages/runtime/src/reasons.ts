/**
 * The words of decisions: a reason for each way a rule can decide (`Path`), with the rule's
 * source position. The planner installs {@link explain} into its policy (`explainWith`), so every
 * checker that has `plan` — the whole `checker` object — gives these reasons; a bundle of a
 * checker's `can` alone leaves this file out and gives the short form of policy.ts.
 *
 * No dependencies; imports nothing from the compiler.
 */
import { Path, type Level, type RuleRef } from './types.js';

const COLOUR: Readonly<Record<Level, string>> = { deny: 'red', own: 'yellow', team: 'blue', all: 'green' };

/** A name from the policy or the request, quoted in a reason. */
export const tick = (s: string): string => '`' + s + '`';

/** What a grant says, with its source position: the start of most reasons and of a plan's. */
export function grantText(rule: RuleRef): string {
  const inherited = rule.declaredIn === rule.role ? '' : ` (inherited from ${tick(rule.declaredIn)})`;
  const when = rule.condition === undefined ? '' : ` when ${tick(rule.condition)}`;
  return `role ${tick(rule.role)} grants ${tick(rule.action)} on ${tick(rule.resource)} as ${rule.level} (${COLOUR[rule.level]})${when}${inherited} at ${rule.file}:${rule.line}:${rule.column}`;
}

/** The reason of the decision of `rule` taken along `path`: one line for people, with the rule's position. */
export function explain(rule: RuleRef, path: Path): string {
  const at = `${rule.file}:${rule.line}:${rule.column}`;
  const inherited = rule.declaredIn === rule.role ? '' : ` (inherited from ${tick(rule.declaredIn)})`;
  const grant = grantText(rule);
  switch (path) {
    case Path.Admin:
      return `allowed: ${tick(rule.role)} is an administrator role${inherited} at ${at}`;
    case Path.All:
      return `allowed: ${grant}`;
    case Path.Own:
      return `allowed: ${grant}, and the principal is responsible for the record`;
    case Path.Team:
      return `allowed: ${grant}, and the record's team is one of the principal's groups`;
    case Path.Hierarchy:
      return `allowed: ${grant}, and the record's owner has a role below ${tick(rule.role)}`;
    case Path.Peer:
      return `allowed: ${grant}, and the record's owner is a peer in ${tick(rule.role)}, which shares data with peers`;
    case Path.Denied:
      return `denied: role ${tick(rule.role)} denies ${tick(rule.action)} on ${tick(rule.resource)} (red)${rule.condition === undefined ? '' : ` when ${tick(rule.condition)}`}${inherited} at ${at}`;
    case Path.ConditionNotMet:
      return `denied: ${grant}, and the condition does not hold`;
    case Path.ConditionFailed:
      return `denied: ${grant}, and the condition could not be evaluated (a missing attribute or context value, or a value of the wrong type)`;
    case Path.ConditionOverBudget:
      return `denied: ${grant}, and the condition went over its cost budget (\`limits.conditionBudget\`)`;
    case Path.DefaultDeny:
      return `denied: role ${tick(rule.role)} (${at}) has no grant for ${tick(rule.action)} on ${tick(rule.resource)}, so the default deny applies`;
    case Path.NotReached:
      return `denied: ${grant}, and the record is not one the principal reaches`;
    case Path.MissingOwner:
      return `denied: the ${tick(rule.resource)} record has no string owner attribute, needed by ${grant}`;
    case Path.MissingTeam:
      return `denied: the ${tick(rule.resource)} record has no string team attribute, needed by ${grant}`;
    case Path.MissingOwnerRole:
      return `denied: the ${tick(rule.resource)} record has no string owner-role attribute, needed by the hierarchy of ${tick(rule.role)}`;
    case Path.InvalidGroups:
      return `denied: the principal's \`groups\` is not a list of strings, needed by ${grant}`;
    case Path.Group:
      return `allowed: ${grant}, and the record's owner has a role that belongs to one of the principal's groups`;
    case Path.Reports:
      return `allowed: ${grant}, and the record's owner reports to the principal`;
    case Path.Shared:
      return `allowed: sharing rule ${tick(rule.name ?? '?')} at ${at} shares these ${tick(rule.resource)} records with the principal`;
    case Path.Public:
      return `allowed: ${tick(rule.resource)} records are public by the org-wide default at ${at}, and role ${tick(rule.role)} may ${tick(rule.action)} them${inherited}`;
    case Path.Subscriber:
      return `allowed: the principal subscribes to this ${tick(rule.resource)} record, and subscribers may do this (${at})`;
    case Path.MissingSubscribers:
      return `denied: the ${tick(rule.resource)} record has no list of subscribers, needed by ${at}`;
    case Path.MissingReports:
      return `denied: the principal has no \`reports\` list, needed by the reporting hierarchy for ${grant}`;
    case Path.ParentRead:
    case Path.ParentWrite:
      return `allowed: ${tick(rule.resource)} records follow their parent record (${at}), and the principal may ${path === Path.ParentRead ? 'read' : 'write'} the parent`;
    case Path.ParentNoRead:
    case Path.ParentNoWrite:
      return `denied: ${tick(rule.resource)} records follow their parent record (${at}), and the principal may not ${path === Path.ParentNoRead ? 'read' : 'write'} the parent`;
    case Path.MissingParent:
      return `denied: the ${tick(rule.resource)} record has no parent record of a kind declared at ${at}`;
  }
}
