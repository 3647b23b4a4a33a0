// Types of bench/load.mjs for the tests that share it (test/runtime-size.test.ts).
import type { CompiledChecker, PolicyModel } from '../compiler/index.ts';

export declare const CAN_BUDGET: number;
export declare const FIRST_DECISION_BUDGET_MS: number;
export interface Request {
  readonly principal: { readonly id: string; readonly role: string; readonly groups?: readonly string[] };
  readonly action: string;
  readonly resource: { readonly kind: string };
}
export interface Bundle {
  readonly text: string;
  readonly min: number;
  readonly gzip: number;
  readonly runtimeFiles: readonly string[];
}
export declare function policySets(): string[];
export declare function compileSet(dir: string): Promise<{ model: PolicyModel; output: CompiledChecker }>;
export declare function firstRequest(model: PolicyModel): Request;
export declare function appBundle(checkerTs: string, entry: 'can' | 'checker', request?: Request): Promise<Bundle>;
export declare function bundleApp(checkerTs: string, app: string): Promise<Bundle>;
