// 11. The scan gate on the real engine: moto, as ECR's control plane, scans each pushed image when its
// repository scans on push (the bridge starts the scan, as ECR does) and answers DescribeImageScanFindings
// with its canned basic-scanning result, one HIGH finding, CVE-9999-9999. A gate that fails on HIGH
// therefore holds imageUri back, and the task definition that would run the image is never created.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { assertNoStackFrames, ProgramStack, SandboxRegistry } from "./support/sandbox";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

describe("11. the scan gate on the real engine", function () {
    let stack: ProgramStack;

    before(() => {
        stack = ProgramStack.create(path.join(__dirname, "programs", "scan-gate"), { config: { failOn: "HIGH" } });
    });

    after(() => stack?.dispose());

    it("a HIGH finding under failOn HIGH fails `pulumi up` with the gate's message, and the consumer is never created", async () => {
        const up = stack.pulumi(["up", "--yes", "--skip-preview"]);
        assert.notEqual(up.code, 0, up.output);
        assert.match(up.output, /CVE-9999-9999/, "the message names the finding");
        assert.match(up.output, /HIGH/);
        assert.match(up.output, /ignore/, "the message says how to let a finding through on purpose");
        assertNoStackFrames(up.output);
        const resources = stack.resources();
        assert.deepEqual(resources.filter((r) => r.type === TASK_DEFINITION), [], "the task definition was not created");
        // The image was pushed: it is in the repository, where the lifecycle policy will expire it.
        const repository = resources.find((r) => r.type === "aws:ecr/repository:Repository" && r.urn.endsWith("::gated"))!;
        const tags = await new SandboxRegistry().tags(repository.outputs!.name as string);
        assert.ok(tags.length > 0, "the gated-out image is still in the repository");
    });

    it("under failOn CRITICAL the same image passes: the task definition runs imageUri, and scanFindings counts the HIGH", () => {
        stack.pulumiOk(["config", "set", "failOn", "CRITICAL"]);
        stack.up();
        const outputs = stack.outputs();
        assert.match(outputs.imageUri, /@sha256:[0-9a-f]{64}$/);
        assert.equal(outputs.scanFindings.counts.HIGH, 1);
        const taskDefinition = stack.resource(TASK_DEFINITION);
        assert.equal(JSON.parse(taskDefinition.inputs!.containerDefinitions as string)[0].image, outputs.imageUri);
    });

    it("a no-op `pulumi up` judges nothing again: the digest and the settings are unchanged", () => {
        const preview = stack.previewJson();
        assert.deepEqual(preview.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn}`), []);
    });
});
