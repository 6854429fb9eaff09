// The schema's descriptions are what Python, Go, .NET, Java and YAML users read in their editors, and the
// JSDoc is what TypeScript users read: both say the same, property by property. The pairing of TypeScript
// declarations with schema objects is the drift test's.
//
// The rendering of a JSDoc comment into a schema description, which the schema must match exactly:
//   - the comment's text before any tag, with every run of white space (line breaks included) made one space;
//   - then, when the property has a `@default` tag, one more sentence: " Default: <the tag's text>.".
// So `/** Build without the layer cache.\n * @default false */` is "Build without the layer cache. Default: false.".
import { strict as assert } from "node:assert";
import { itForEachPairing, Pairing, pairing, PAIRINGS, readSchema } from "./support/schema-pairing";
import { PropertyDocs, sdkApi } from "./support/typescript-api";

/** The schema description a property's JSDoc stands for. */
function schemaDescriptionOf(docs: PropertyDocs): string {
    return docs.defaultValue === undefined ? docs.summary : `${docs.summary} Default: ${docs.defaultValue}.`;
}

/** Every property of a pairing whose schema description is not its JSDoc's rendering, each named. */
function descriptionDrift(compared: Pairing): string[] {
    const problems: string[] = [];
    for (const [name, property] of compared.ts) {
        const described = compared.schema.get(name)?.description;
        if (property.docs === undefined || property.docs.summary === "") {
            problems.push(`${name}: has no JSDoc${property.docs === undefined ? "" : " text before its tags"} (${compared.label})`);
        } else if (schemaDescriptionOf(property.docs) !== described) {
            problems.push(`${name}: the JSDoc renders as ${JSON.stringify(schemaDescriptionOf(property.docs))}, ` +
                `but the schema says ${JSON.stringify(described ?? null)} (${compared.label})`);
        }
    }
    return problems;
}

describe("schema.json's descriptions are the JSDoc's", function () {
    // The first reader of the shared program type-checks the SDK and its @pulumi dependencies.
    this.timeout(120_000);

    itForEachPairing("every property described alike", descriptionDrift);

    it("renders a @default tag as a closing sentence", () => {
        const noCache = sdkApi().interfaceProperties("sdk/image.ts", "ImageArgs").get("noCache")!;
        assert.equal(noCache.docs?.defaultValue, "false");
        assert.equal(schemaDescriptionOf(noCache.docs!), `${noCache.docs!.summary} Default: false.`);
        assert.equal(readSchema().resources["ecrx:index:Image"].inputProperties.noCache.description, schemaDescriptionOf(noCache.docs!));
    });

    it("names each property whose description differs or that has no JSDoc", () => {
        const repositoryArgs = pairing(sdkApi(), readSchema(), PAIRINGS[0]);
        const schemaSide = new Map(repositoryArgs.schema);
        schemaSide.set("forceDelete", { ...schemaSide.get("forceDelete")!, description: "Deletes things." });
        const tsSide = new Map(repositoryArgs.ts);
        tsSide.set("region", { ...tsSide.get("region")!, docs: undefined });
        tsSide.set("tags", { ...tsSide.get("tags")!, docs: { summary: "", defaultValue: "none" } });
        const problems = descriptionDrift({ ...repositoryArgs, schema: schemaSide, ts: tsSide });
        assert.deepEqual(problems.map((problem) => problem.split(":")[0]).sort(), ["forceDelete", "region", "tags"]);
        assert.match(problems.find((p) => p.startsWith("forceDelete"))!, /but the schema says "Deletes things\."/);
        assert.match(problems.find((p) => p.startsWith("region"))!, /has no JSDoc \(/);
        assert.match(problems.find((p) => p.startsWith("tags"))!, /has no JSDoc text before its tags/);
    });
});
