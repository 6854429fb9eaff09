// Runs an example program from examples/ against this checkout: the examples import the package as "ecrx"
// (installed from ../.. by npm), and here that name means the SDK's sources, so the tests and the demo
// exercise the code in the tree without a build or an `npm install` inside the example.
import Module = require("node:module");
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..");
export const EXAMPLES_DIR = path.join(REPO_ROOT, "examples");
/** What "ecrx" stands for in the examples: the SDK's entry point. */
export const SDK_ENTRY = path.join(REPO_ROOT, "sdk", "index.ts");

/** The TypeScript examples, by directory name. */
export const TYPESCRIPT_EXAMPLES = ["ecs-fargate", "eks", "lambda"] as const;
export type TypeScriptExample = typeof TYPESCRIPT_EXAMPLES[number];

/** An example's program, or another of its modules by name. */
export function exampleEntry(example: TypeScriptExample, moduleName = "index"): string {
    return path.join(EXAMPLES_DIR, example, `${moduleName}.ts`);
}

type ResolveFilename = (request: string, parent: NodeModule | undefined, ...rest: unknown[]) => string;
const moduleInternals = Module as unknown as { _resolveFilename: ResolveFilename };

/** A module at the repository root, from which its node_modules are searched. */
const rootParent = { id: REPO_ROOT, filename: path.join(REPO_ROOT, "package.json"), paths: (Module as any)._nodeModulePaths(REPO_ROOT) };

/**
 * Loads an example's program (or another of its modules) and returns its exports, for the program the stack
 * outputs. Pulumi must already be mocked.
 * Inside the example, "ecrx" resolves to the SDK's sources and `@pulumi/*` to the repository's own copies,
 * even when the example has its own node_modules: a second copy of @pulumi/pulumi would not see the mocks.
 * Node caches the module, so a program runs once per process.
 */
export function loadExample(example: TypeScriptExample, moduleName = "index"): Record<string, any> {
    const exampleDir = path.join(EXAMPLES_DIR, example) + path.sep;
    const resolve = moduleInternals._resolveFilename;
    moduleInternals._resolveFilename = function (this: unknown, request, parent, ...rest) {
        if (request === "ecrx") {
            return SDK_ENTRY;
        }
        if (request.startsWith("@pulumi/") && parent?.filename?.startsWith(exampleDir)) {
            return resolve.call(this, request, rootParent as NodeModule, ...rest);
        }
        return resolve.call(this, request, parent, ...rest);
    };
    try {
        return require(exampleEntry(example, moduleName));
    } finally {
        moduleInternals._resolveFilename = resolve;
    }
}
