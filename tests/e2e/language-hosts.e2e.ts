// The sandbox's own language host, under its Python name: `pulumi install` makes the program's virtual
// environment, and `pulumi up` runs the Python SDK with the stack's config and secrets.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ProgramStack, runInSandbox } from "./support/sandbox";

describe("the sandbox's Python language host", function () {
    let stack: ProgramStack;

    before(() => {
        stack = ProgramStack.create(path.join(__dirname, "programs", "python"), { secrets: { token: "py-token-e2e-41d2" } });
    });

    after(() => stack?.dispose());

    it("installs the program's requirements into its virtualenv and runs it with config and a secret", () => {
        const install = runInSandbox("pulumi", ["install"], stack.dir);
        assert.equal(install.code, 0, install.output);
        assert.match(install.output, /Successfully installed .*pulumi-3\.272\.0/);
        stack.up();
        const outputs = JSON.parse(stack.pulumiOk(["stack", "output", "--json", "--show-secrets"]).stdout);
        assert.deepEqual(outputs, { greeting: `hello from ecrx-e2e-python/${stack.name}`, token: "py-token-e2e-41d2" });
        assert.ok(!stack.exportText().includes("py-token-e2e-41d2"), "the secret is encrypted in the state");
    });
});
