// No drift between the TypeScript API and provider/schema.json, which is what Python, Go, .NET, Java and
// YAML users get: the TypeScript compiler API reads the argument interfaces and the components' public
// outputs, and every property must exist on both sides, with the same required-ness for inputs, and
// resources referenced the way the schema references them.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { BUILD_AND_PUSH_IMAGE } from "./support/tokens";
import { itForEachPairing, Pairing, pairing, PAIRINGS, readSchema } from "./support/schema-pairing";
import { ROOT, sdkApi, TsProperty, TypeScriptApi } from "./support/typescript-api";

/**
 * The `$ref` the schema must use for a resource the TypeScript API holds: `#/resources/ecrx:index:<Name>` for
 * this package, and the package schema URL form, pinned to the installed version, for another package's.
 */
function expectedResourceRef(resourceClass: NonNullable<TsProperty["resourceClass"]>): string {
    const external = /\/node_modules\/@pulumi\/([^/]+)\//.exec(resourceClass.file);
    if (external === null) {
        return `#/resources/ecrx:index:${resourceClass.name}`;
    }
    const pkg = external[1];
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", pkg, "package.json"), "utf8"));
    // The token lives only in the compiled class (`__pulumiType`), next to its declaration file.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const token: string = require(resourceClass.file.replace(/\.d\.ts$/, ".js"))[resourceClass.name].__pulumiType;
    return `/${pkg}/v${version}/schema.json#/resources/${token.replace(/\//g, "%2F")}`;
}

/** Every disagreement between the two sides of a pairing, each naming the property. */
function drift(pairing: Pairing): string[] {
    const problems: string[] = [];
    for (const [name, property] of pairing.ts) {
        const counterpart = pairing.schema.get(name);
        if (counterpart === undefined) {
            problems.push(`${name}: in TypeScript but not in the schema (${pairing.label})`);
            continue;
        }
        if (pairing.compareRequired && counterpart.required === property.optional) {
            problems.push(`${name}: ${property.optional ? "optional" : "required"} in TypeScript but ${counterpart.required ? "required" : "optional"} in the schema (${pairing.label})`);
        }
        const expectedRef = property.resourceClass && expectedResourceRef(property.resourceClass);
        const isResourceRef = counterpart.$ref?.includes("#/resources/") ?? false;
        if (expectedRef !== counterpart.$ref && (expectedRef !== undefined || isResourceRef)) {
            problems.push(`${name}: TypeScript holds ${property.resourceClass?.name ?? "no resource"}, so the schema should ` +
                `${expectedRef === undefined ? "not reference a resource" : `reference ${expectedRef}`}, but has ${counterpart.$ref ?? "no $ref"} (${pairing.label})`);
        }
    }
    for (const name of pairing.schema.keys()) {
        if (!pairing.ts.has(name)) {
            problems.push(`${name}: in the schema but not in TypeScript (${pairing.label})`);
        }
    }
    return problems;
}

describe("schema.json and the TypeScript API do not drift", function () {
    let api: TypeScriptApi;
    let schema: any;

    before(function () {
        this.timeout(120_000); // one type-checked program over the SDK and its @pulumi dependencies
        api = sdkApi();
        schema = readSchema();
    });

    itForEachPairing("the same properties on both sides", drift);

    it("the method returns what the TypeScript method's Image exposes as its URI", () => {
        const outputs = schema.functions[BUILD_AND_PUSH_IMAGE].outputs;
        // `repository.buildAndPushImage(...)` returns the Image; across languages the method returns its imageUri.
        assert.deepEqual(Object.keys(outputs.properties), ["imageUri"]);
        assert.deepEqual(outputs.required, ["imageUri"]);
        assert.ok(api.classOutputs("sdk/image.ts", "Image").has("imageUri"), "Image has no imageUri output");
    });

    it("notices drift in either direction, naming the property", () => {
        const repositoryArgs = pairing(api, schema, PAIRINGS[0]);
        const schemaSide = new Map(repositoryArgs.schema);
        schemaSide.delete("scanOnPush");
        schemaSide.set("scanOnPull", { required: false });
        schemaSide.set("forceDelete", { required: true });
        assert.deepEqual(drift({ ...repositoryArgs, schema: schemaSide }), [
            "forceDelete: optional in TypeScript but required in the schema (RepositoryArgs ↔ resources[ecrx:index:Repository].inputProperties)",
            "scanOnPush: in TypeScript but not in the schema (RepositoryArgs ↔ resources[ecrx:index:Repository].inputProperties)",
            "scanOnPull: in the schema but not in TypeScript (RepositoryArgs ↔ resources[ecrx:index:Repository].inputProperties)",
        ]);

        const repositoryOutputs = pairing(api, schema, PAIRINGS.find((spec) => spec.kind === "outputs" && spec.name === "Repository")!);
        const wrongRef = new Map(repositoryOutputs.schema);
        wrongRef.set("repository", { required: true, $ref: "/aws/v6.0.0/schema.json#/resources/aws:ecr%2Frepository:Repository" });
        assert.deepEqual(drift({ ...repositoryOutputs, schema: wrongRef }).map((p) => p.split(":")[0]), ["repository"]);
    });
});
