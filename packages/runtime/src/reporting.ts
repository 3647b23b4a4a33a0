/**
 * The reporting hierarchy (R-Z4): with `hierarchy: reporting`, own and team grants widen to the
 * records of every user who reports to the principal, directly or not. The check reads that
 * set from `principal.reports`; {@link reportingDirectory} fills it from the application's
 * directory, with a cache.
 *
 * No dependencies; imports nothing from the compiler.
 */
import { isObject, listIncludes, own, ownElements } from './own.js';

/** Who reports to whom, as the application knows it. */
export interface Directory {
  /** The ids of the users who report directly to `userId` (none: an empty list). May throw. */
  directReports(userId: string): readonly string[];
}

export interface ReportingOptions {
  /** Most managers whose reports are cached (least recently used are dropped). Default 10,000. */
  readonly maxEntries?: number;
  /** Called when the directory fails; the principal then gets no `reports`, so checks fail closed. */
  readonly onError?: (error: unknown, userId: string) => void;
}

export interface ReportingDirectory {
  /**
   * The principal with `reports` set to everyone below them. When the directory fails, the
   * principal without `reports`: every check that needs the reporting chain denies
   * (`invalid-request`, "the principal has no `reports` list"), own records stay allowed.
   */
  withReports<P extends { readonly id: string }>(principal: P): P & { readonly reports?: ReadonlySet<string> };
  /** Forget cached chains (all, or those that contain `userId` as manager or report). */
  invalidate(userId?: string): void;
}

/** A principal's own `reports` as a check reads them: a list or a set, else undefined. */
export function reportsOf(principal: object, key = 'reports'): readonly string[] | ReadonlySet<string> | undefined {
  const reports = own(principal, key);
  return Array.isArray(reports) || reports instanceof Set ? (reports as readonly string[] | ReadonlySet<string>) : undefined;
}

/** Whether `id` is one of the reports (a list's own elements: a hole is nobody). */
export function reportsInclude(reports: readonly string[] | ReadonlySet<string>, id: unknown): boolean {
  return Array.isArray(reports) ? listIncludes(reports, id) : (reports as ReadonlySet<unknown>).has(id);
}

/** The string members, for a plan. */
export function reportList(reports: readonly string[] | ReadonlySet<string>): string[] {
  return (Array.isArray(reports) ? ownElements(reports) : [...reports]).filter((r): r is string => typeof r === 'string');
}

/**
 * A cached view of the application's directory. The transitive reports of a manager are
 * computed once (breadth first, each user once, so a cycle in the data cannot loop) and kept
 * until evicted or invalidated; a failing directory is never cached.
 */
/* @__NO_SIDE_EFFECTS__ */
export function reportingDirectory(directory: Directory, options: ReportingOptions = {}): ReportingDirectory {
  // the options and the directory are read by the own-data rule too: a polluted prototype could
  // otherwise supply an `onError` that is not a function, or a `directReports`
  const option = (key: string): unknown => {
    try {
      return isObject(options) ? own(options, key) : undefined;
    } catch {
      return undefined;
    }
  };
  const maxEntries = option('maxEntries');
  const max = typeof maxEntries === 'number' && maxEntries >= 1 ? maxEntries : 10_000;
  const onError = option('onError');
  const cache = new Map<string, ReadonlySet<string>>();
  const below = (manager: string): ReadonlySet<string> | undefined => {
    const hit = cache.get(manager);
    if (hit !== undefined) {
      cache.delete(manager);
      cache.set(manager, hit);
      return hit;
    }
    const seen = new Set<string>();
    const queue = [manager];
    try {
      const directReports = isObject(directory) ? own(directory, 'directReports') : undefined;
      if (typeof directReports !== 'function') throw new TypeError('the directory has no `directReports` function');
      while (queue.length > 0) {
        const direct: unknown = directReports.call(directory, queue.shift()!);
        if (!Array.isArray(direct)) throw new TypeError('directReports must return a list of user ids');
        for (const id of ownElements(direct)) {
          if (typeof id !== 'string') throw new TypeError('directReports must return a list of user ids');
          if (id !== manager && !seen.has(id)) {
            seen.add(id);
            queue.push(id);
          }
        }
      }
    } catch (error) {
      try {
        if (typeof onError === 'function') onError(error, manager);
      } catch {
        // the application's error handler failing must not turn a denial into an exception
      }
      return undefined;
    }
    const made: ReadonlySet<string> = seen;
    cache.set(manager, made);
    if (cache.size > max) cache.delete(cache.keys().next().value!);
    return made;
  };
  return {
    withReports(principal) {
      type Filled = typeof principal & { readonly reports?: ReadonlySet<string> };
      // anything but an object is returned as it is, and `can` denies it; an object that cannot be
      // copied (a throwing Proxy) becomes an empty principal, which `can` denies too
      if (!isObject(principal)) return principal as Filled;
      try {
        const { reports: _ignored, ...rest } = principal as typeof principal & { reports?: unknown };
        const id = own(principal, 'id');
        const reports = typeof id === 'string' ? below(id) : undefined;
        return (reports === undefined ? rest : { ...rest, reports }) as Filled;
      } catch {
        return Object.freeze({}) as Filled;
      }
    },
    invalidate(userId) {
      if (userId === undefined) cache.clear();
      else for (const [manager, reports] of cache) if (manager === userId || reports.has(userId)) cache.delete(manager);
    },
  };
}
