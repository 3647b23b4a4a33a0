/**
 * The reporting hierarchy (R-Z4): with `hierarchy: reporting`, own and team grants widen to the
 * records of every user who reports to the principal, directly or not. The check reads that
 * set from `principal.reports`; {@link reportingDirectory} fills it from the application's
 * directory, with a cache.
 *
 * No dependencies; imports nothing from the compiler.
 */

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

/** A principal's reports as a check reads them: a list or a set, else undefined. */
export function reportsOf(principal: { readonly reports?: unknown }): readonly string[] | ReadonlySet<string> | undefined {
  const reports = principal.reports;
  return Array.isArray(reports) || reports instanceof Set ? (reports as readonly string[] | ReadonlySet<string>) : undefined;
}

export function reportsInclude(reports: readonly string[] | ReadonlySet<string>, id: unknown): boolean {
  return Array.isArray(reports) ? reports.includes(id) : (reports as ReadonlySet<unknown>).has(id);
}

/** The string members, for a plan. */
export function reportList(reports: readonly string[] | ReadonlySet<string>): string[] {
  return [...reports].filter((r): r is string => typeof r === 'string');
}

/**
 * A cached view of the application's directory. The transitive reports of a manager are
 * computed once (breadth first, each user once, so a cycle in the data cannot loop) and kept
 * until evicted or invalidated; a failing directory is never cached.
 */
/* @__NO_SIDE_EFFECTS__ */
export function reportingDirectory(directory: Directory, options: ReportingOptions = {}): ReportingDirectory {
  const max = options.maxEntries ?? 10_000;
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
      while (queue.length > 0) {
        const direct = directory.directReports(queue.shift()!);
        if (!Array.isArray(direct)) throw new TypeError('directReports must return a list of user ids');
        for (const id of direct) {
          if (typeof id !== 'string') throw new TypeError('directReports must return a list of user ids');
          if (id !== manager && !seen.has(id)) {
            seen.add(id);
            queue.push(id);
          }
        }
      }
    } catch (error) {
      options.onError?.(error, manager);
      return undefined;
    }
    const made: ReadonlySet<string> = seen;
    cache.set(manager, made);
    if (cache.size > max) cache.delete(cache.keys().next().value!);
    return made;
  };
  return {
    withReports(principal) {
      const { reports: _ignored, ...rest } = principal as typeof principal & { reports?: unknown };
      const reports = typeof principal.id === 'string' ? below(principal.id) : undefined;
      return (reports === undefined ? rest : { ...rest, reports }) as typeof principal & { readonly reports?: ReadonlySet<string> };
    },
    invalidate(userId) {
      if (userId === undefined) cache.clear();
      else for (const [manager, reports] of cache) if (manager === userId || reports.has(userId)) cache.delete(manager);
    },
  };
}
