// Every property of the public API has JSDoc, which editors show on hover and documentation tools read, and
// a default is said in a `@default` tag (which TypeDoc and TSDoc tools read), never in "Default: ..." prose.
import { strict as assert } from "node:assert";
import { DocumentedProperty, sdkApi } from "./support/typescript-api";

/** Each entry point, with a property it must find (so that a reader finding nothing cannot pass). */
const ENTRY_POINTS = {
    "sdk/index.ts": "LifecycleRule.selection",
    "sdk/lifecycle/index.ts": "SimulationResult.summary",
    "sdk/testing/index.ts": "Registration.inputs",
};

function docProblems(properties: DocumentedProperty[]): string[] {
    return properties.flatMap(({ owner, name, docs }) => {
        if (docs === undefined || docs.summary === "") {
            return [`${owner}.${name}: has no JSDoc text`];
        }
        if (/\bDefault(:|s to\b)/i.test(docs.summary)) {
            return [`${owner}.${name}: says its default in prose ("${docs.summary}"); give it as a @default tag`];
        }
        if (docs.defaultValue === "") {
            return [`${owner}.${name}: has an empty @default tag`];
        }
        return [];
    });
}

describe("the public API's properties are documented", function () {
    for (const [entry, expected] of Object.entries(ENTRY_POINTS)) {
        it(`every property exported through ${entry} has JSDoc, with defaults in @default tags`, function () {
            this.timeout(120_000); // the first reader type-checks the SDK and its @pulumi dependencies
            const properties = sdkApi().exportedProperties(entry);
            assert.ok(properties.some((p) => `${p.owner}.${p.name}` === expected), `${entry}: did not find ${expected}`);
            assert.deepEqual(docProblems(properties), []);
        });
    }

    it("names a property without JSDoc, one with its default in prose, and an empty @default", () => {
        assert.deepEqual(docProblems([
            { owner: "RepositoryArgs", name: "arn" },
            { owner: "ImageArgs", name: "noCache", docs: { summary: "Build without the layer cache. Default: false." } },
            { owner: "ImageArgs", name: "pull", docs: { summary: "Always pull base images.", defaultValue: "" } },
            { owner: "ImageArgs", name: "context", docs: { summary: "The build context directory.", defaultValue: '"."' } },
        ]).map((problem) => problem.split(":")[0]), ["RepositoryArgs.arn", "ImageArgs.noCache", "ImageArgs.pull"]);
    });
});
