// 9. The TypeScript examples, as a user runs them, preview cleanly on the real engine. Their base images
// are public ones the sandbox cannot pull, so the stacks set ecrx:buildOnPreview to false.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ProgramStack, REPO_ROOT } from "./support/sandbox";

const EXAMPLES: Array<{ name: string; consumer: string; packages?: string[]; config?: Record<string, string> }> = [
    { name: "ecs-fargate", consumer: "aws:ecs/taskDefinition:TaskDefinition" },
    { name: "lambda", consumer: "aws:lambda/function:Function" },
    {
        name: "eks",
        consumer: "kubernetes:apps/v1:Deployment",
        packages: ["@pulumi/kubernetes"],
        config: { nodeRoleArn: "arn:aws:iam::123456789012:role/eks-nodes" },
    },
];

describe("9. the TypeScript examples preview on the real engine", function () {
    for (const example of EXAMPLES) {
        it(`${example.name}: the ecrx tree and its consumer, no errors, no warnings from ecrx`, () => {
            const stack = ProgramStack.create(path.join(REPO_ROOT, "examples", example.name), {
                packages: example.packages,
                config: { "ecrx:buildOnPreview": "false", ...example.config },
            });
            try {
                const preview = stack.previewJson();
                const types = preview.steps.map((s) => s.urn.split("::")[2].split("$").pop());
                for (const type of ["ecrx:index:Repository", "ecrx:index:Image", "aws:ecr/repository:Repository",
                    "aws:ecr/lifecyclePolicy:LifecyclePolicy", "docker-build:index:Image", example.consumer]) {
                    assert.ok(types.includes(type), `the preview has a ${type}; it has ${[...new Set(types)].join(", ")}`);
                }
                assert.deepEqual(preview.steps.filter((s) => s.op !== "create").map((s) => s.op), [], "a new stack only creates");
                const complaints = (preview.diagnostics ?? []).filter((d) => d.severity === "error" || (d.severity === "warning" && d.urn?.includes("ecrx:index")));
                assert.deepEqual(complaints, []);
            } finally {
                stack.dispose();
            }
        });
    }
});
