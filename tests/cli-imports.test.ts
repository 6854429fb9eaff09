// The CLI is an entry point built on the public lifecycle API, as a user's tool would be: of the package's
// own modules it may import `sdk/lifecycle` (what users get as `ecrx.lifecycle`) and nothing else, so that
// whatever it needs is exported there on purpose instead of reached for inside.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { modulesUnder } from "./support/modules";

const ROOT = path.resolve(__dirname, "..");
const SDK = path.join(ROOT, "sdk");
const PUBLIC_LIFECYCLE_API = [path.join(SDK, "lifecycle"), path.join(SDK, "lifecycle", "index")];

/** Every module a file names: static imports, re-exports, `import()` and `require`. */
function importSpecifiers(source: string): string[] {
    return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

/** The imports of a module at `file` that reach into the SDK other than through the public lifecycle API. */
function sdkImportsBesidesLifecycle(file: string, source: string): string[] {
    return importSpecifiers(source).filter((specifier) => {
        if (!specifier.startsWith(".")) {
            return false;
        }
        const target = path.resolve(path.dirname(file), specifier).replace(/\.ts$/, "");
        const inSdk = target === SDK || target.startsWith(SDK + path.sep);
        return inSdk && !PUBLIC_LIFECYCLE_API.includes(target);
    });
}

const CLI_MODULES = modulesUnder(path.join(ROOT, "cli"));

describe("CLI imports", () => {
    it("finds every CLI module, nested ones included, and reads their imports of the lifecycle API", () => {
        const relative = CLI_MODULES.map((file) => path.relative(ROOT, file));
        assert.ok(relative.includes(path.join("cli", "plan.ts")), relative.join(", "));
        assert.ok(relative.includes(path.join("cli", "in-use", "match.ts")), relative.join(", "));
        const plan = path.join(ROOT, "cli", "plan.ts");
        assert.ok(importSpecifiers(fs.readFileSync(plan, "utf8")).includes("../sdk/lifecycle"));
    });

    it("take nothing from the SDK but the public lifecycle API", () => {
        const offending = CLI_MODULES.flatMap((file) => sdkImportsBesidesLifecycle(file, fs.readFileSync(file, "utf8"))
            .map((specifier) => `${path.relative(ROOT, file)} imports ${specifier}`));
        assert.deepEqual(offending, [], "export what the CLI needs from sdk/lifecycle/index.ts, with JSDoc, and import it from there");
    });

    it("the check notices each way of reaching inside: an internal module, another SDK folder, a re-export, import() and require", () => {
        const file = path.join(ROOT, "cli", "in-use", "example.ts");
        const source = [
            "import { shortDigest } from \"../../sdk/lifecycle/reasons\";",
            "import type { ProblemList } from \"../../sdk/validation/errors\";",
            "export { simulate } from \"../../sdk/lifecycle/simulate.ts\";",
            "const later = () => import(\"../../sdk/image\");",
            "const sdk = require(\"../../sdk\");",
            "import { lifecycle } from \"../../sdk/lifecycle/index\";",
            "import { parseArgs } from \"node:util\";",
            "import { UserError } from \"../io\";",
        ].join("\n");
        assert.deepEqual(sdkImportsBesidesLifecycle(file, source), [
            "../../sdk/lifecycle/reasons", "../../sdk/validation/errors", "../../sdk/lifecycle/simulate.ts", "../../sdk/image", "../../sdk",
        ]);
    });
});
