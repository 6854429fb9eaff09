// A program with mistakes, through the real engine: the user reads what to fix, once, with no stack
// trace, and nothing is created.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { assertNoStackFrames, ProgramStack } from "./support/sandbox";

describe("invalid input on the real engine", function () {
    let stack: ProgramStack;

    before(() => {
        stack = ProgramStack.create(path.join(__dirname, "programs", "invalid"));
    });

    after(() => stack?.dispose());

    it("5. preview fails, naming each property path and its fix once, without a stack trace, and the stack stays empty", () => {
        const result = stack.pulumi(["preview"]);
        assert.notEqual(result.code, 0, "the preview fails");
        const problems = [
            "name: must be 2 to 256 characters of lowercase letters and digits",
            "lifeCyclePolicyArgs.rules[0]: has maximumNumberOfImages and maximumAgeLimit, but a rule takes exactly one condition: split it into one rule per condition.",
        ];
        for (const problem of problems) {
            const count = result.output.split(problem).length - 1;
            assert.equal(count, 1, `"${problem}" appears once, not ${count} times:\n${result.output}`);
        }
        assert.doesNotMatch(result.output, /unhandled exception/i);
        assertNoStackFrames(result.output);
        assert.deepEqual(stack.resources(), []);
    });
});
