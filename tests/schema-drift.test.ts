// No drift between the TypeScript API and provider/schema.json, which is what Python, Go, .NET, Java and
// YAML users get: the TypeScript compiler API reads the argument interfaces and the components' public
// outputs, and every property must exist on both sides, with the same required-ness for inputs, and
// resources referenced the way the schema references them.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { BUILD_AND_PUSH_IMAGE, IMAGE_COMPONENT, REPOSITORY_COMPONENT } from "./support/tokens";

const ROOT = path.resolve(__dirname, "..");
const SCHEMA_FILE = path.join(ROOT, "provider", "schema.json");

/** One property as the TypeScript side declares it. */
interface TsProperty {
    optional: boolean;
    /** For a property whose type is a Pulumi resource class: where the class is declared, and its name. */
    resourceClass?: { file: string; name: string };
}

/** One property as the schema declares it. */
interface SchemaProperty {
    required: boolean;
    $ref?: string;
}

interface Pairing {
    /** What is compared, for messages: `RepositoryArgs ↔ resources[ecrx:index:Repository].inputProperties`. */
    label: string;
    ts: Map<string, TsProperty>;
    schema: Map<string, SchemaProperty>;
    /** Whether `required` must match optionality (inputs); outputs may be absent at run time either way. */
    compareRequired: boolean;
}

// ---- The TypeScript side ---------------------------------------------------------------------------

class TypeScriptApi {
    private readonly program: ts.Program;
    private readonly checker: ts.TypeChecker;

    constructor(files: string[]) {
        const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.json"), {}, {
            ...ts.sys,
            onUnRecoverableConfigFileDiagnostic: (diagnostic) => { throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")); },
        });
        this.program = ts.createProgram(files.map((f) => path.join(ROOT, f)), { ...config!.options, noEmit: true });
        this.checker = this.program.getTypeChecker();
    }

    private declaration<T extends ts.Statement>(file: string, name: string, is: (node: ts.Node) => node is T): T {
        const source = this.program.getSourceFile(path.join(ROOT, file));
        assert.ok(source, `${file} is not part of the program`);
        const found = source.statements.filter(is).find((node) => (node as { name?: ts.Identifier }).name?.text === name);
        assert.ok(found, `${file} no longer declares ${name}: update the drift test's pairing`);
        return found;
    }

    /** The properties of an interface, inherited ones included (e.g. through `Omit<ImageArgs, ...>`). */
    interfaceProperties(file: string, name: string): Map<string, TsProperty> {
        const declaration = this.declaration(file, name, ts.isInterfaceDeclaration);
        const type = this.checker.getTypeAtLocation(declaration.name);
        return new Map(this.checker.getPropertiesOfType(type).map((symbol) => [symbol.name, {
            optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0,
            resourceClass: this.resourceClassOf(this.checker.getTypeOfSymbolAtLocation(symbol, declaration)),
        }]));
    }

    /** The public readonly instance properties a component class declares: its outputs. */
    classOutputs(file: string, name: string): Map<string, TsProperty> {
        const declaration = this.declaration(file, name, ts.isClassDeclaration);
        const outputs = new Map<string, TsProperty>();
        for (const member of declaration.members) {
            if (!ts.isPropertyDeclaration(member) || !ts.isIdentifier(member.name)) {
                continue;
            }
            const modifiers: ts.SyntaxKind[] = ts.getModifiers(member)?.map((m) => m.kind) ?? [];
            const hidden = [ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.ProtectedKeyword, ts.SyntaxKind.StaticKeyword].some((k) => modifiers.includes(k));
            if (hidden || !modifiers.includes(ts.SyntaxKind.ReadonlyKeyword)) {
                continue;
            }
            outputs.set(member.name.text, {
                optional: member.questionToken !== undefined,
                resourceClass: this.resourceClassOf(this.checker.getTypeAtLocation(member)),
            });
        }
        return outputs;
    }

    /** The Pulumi resource class a property holds, if it holds one (`Repository`, `aws.ecr.Repository`, ...). */
    private resourceClassOf(type: ts.Type): TsProperty["resourceClass"] {
        const plain = this.checker.getNonNullableType(type);
        const symbol = plain.getSymbol();
        const declaration = symbol?.declarations?.find(ts.isClassDeclaration);
        if (declaration === undefined || !this.extendsPulumiResource(plain)) {
            return undefined;
        }
        return { file: declaration.getSourceFile().fileName, name: symbol!.name };
    }

    private extendsPulumiResource(type: ts.Type): boolean {
        // A generic base such as ComponentResource<any> is a reference to its class, which has the base types.
        const target = (type as ts.TypeReference).target ?? type;
        for (const base of (target.isClassOrInterface() ? this.checker.getBaseTypes(target) : [])) {
            const declaration = base.getSymbol()?.declarations?.[0];
            const fromPulumi = declaration !== undefined && declaration.getSourceFile().fileName.includes("/@pulumi/pulumi/");
            if ((fromPulumi && base.getSymbol()!.name === "Resource") || this.extendsPulumiResource(base)) {
                return true;
            }
        }
        return false;
    }
}

// ---- The schema side -------------------------------------------------------------------------------

function schemaProperties(objectSpec: { properties?: Record<string, { $ref?: string }>; required?: string[] }, requiredKey: "required" | "requiredInputs" = "required",
    requiredList?: string[]): Map<string, SchemaProperty> {
    const required = new Set(requiredList ?? (objectSpec as any)[requiredKey] ?? []);
    return new Map(Object.entries(objectSpec.properties ?? {}).map(([name, spec]) => [name, { required: required.has(name), $ref: spec.$ref }]));
}

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

// ---- The pairings ----------------------------------------------------------------------------------

interface PairingSpec {
    file: string;
    /** An interface (inputs) or a component class (outputs). */
    name: string;
    kind: "inputs" | "outputs";
    /** Where the schema declares the counterpart, for messages. */
    where: string;
    schemaSide(schema: any): Map<string, SchemaProperty>;
}

function typeSpec(file: string, name: string, token: string): PairingSpec {
    return {
        file, name, kind: "inputs", where: `types[${token}]`,
        schemaSide: (schema) => {
            assert.ok(schema.types[token], `the schema has no type ${token}`);
            return schemaProperties(schema.types[token]);
        },
    };
}

function resourceInputsSpec(file: string, name: string, token: string): PairingSpec {
    return {
        file, name, kind: "inputs", where: `resources[${token}].inputProperties`,
        schemaSide: (schema) => schemaProperties({ properties: schema.resources[token].inputProperties }, "requiredInputs", schema.resources[token].requiredInputs),
    };
}

function outputsSpec(file: string, name: string, token: string): PairingSpec {
    return { file, name, kind: "outputs", where: `resources[${token}].properties`, schemaSide: (schema) => schemaProperties(schema.resources[token]) };
}

const PAIRINGS: PairingSpec[] = [
    resourceInputsSpec("sdk/repository.ts", "RepositoryArgs", REPOSITORY_COMPONENT),
    typeSpec("sdk/repository.ts", "RepositoryAccess", "ecrx:index:RepositoryAccess"),
    typeSpec("sdk/repository.ts", "RepositoryEncryption", "ecrx:index:RepositoryEncryption"),
    typeSpec("sdk/lifecycle/types.ts", "LifecyclePolicyArgs", "ecrx:index:LifecyclePolicyArgs"),
    typeSpec("sdk/lifecycle/types.ts", "LifecycleRule", "ecrx:index:LifecycleRule"),
    typeSpec("sdk/lifecycle/types.ts", "LifecycleSelection", "ecrx:index:LifecycleSelection"),
    resourceInputsSpec("sdk/image.ts", "ImageArgs", IMAGE_COMPONENT),
    typeSpec("sdk/image.ts", "ImageSsh", "ecrx:index:ImageSsh"),
    typeSpec("sdk/image.ts", "RegistryCredentials", "ecrx:index:RegistryCredentials"),
    typeSpec("sdk/scan-gate/types.ts", "ScanGateArgs", "ecrx:index:ScanGateSettings"),
    typeSpec("sdk/scan-gate/types.ts", "ScanGateIgnore", "ecrx:index:ScanGateIgnore"),
    typeSpec("sdk/scan-gate/types.ts", "ScanSeverityCounts", "ecrx:index:ScanSeverityCounts"),
    typeSpec("sdk/scan-gate/types.ts", "ScanFindings", "ecrx:index:ScanFindings"),
    typeSpec("sdk/scan-gate/types.ts", "IgnoredScanFinding", "ecrx:index:IgnoredScanFinding"),
    typeSpec("sdk/scan-gate/types.ts", "ExpiredScanIgnore", "ecrx:index:ExpiredScanIgnore"),
    typeSpec("sdk/scan-gate/types.ts", "ScanFindingsImage", "ecrx:index:ScanFindingsImage"),
    {
        file: "sdk/image.ts", name: "RepositoryImageArgs", kind: "inputs", where: `functions[${BUILD_AND_PUSH_IMAGE}].inputs (without __self__)`,
        schemaSide: (schema) => {
            // The method's receiver is the Repository it is called on, not an argument: `__self__` has no
            // TypeScript counterpart in RepositoryImageArgs (in TypeScript it is `this`), so it is checked here.
            const { __self__, ...args } = schema.functions[BUILD_AND_PUSH_IMAGE].inputs.properties;
            assert.deepEqual(__self__, { $ref: `#/resources/${REPOSITORY_COMPONENT}` }, "the method's __self__ must be the Repository");
            const required = (schema.functions[BUILD_AND_PUSH_IMAGE].inputs.required ?? []).filter((name: string) => name !== "__self__");
            return schemaProperties({ properties: args }, "required", required);
        },
    },
    outputsSpec("sdk/repository.ts", "Repository", REPOSITORY_COMPONENT),
    outputsSpec("sdk/image.ts", "Image", IMAGE_COMPONENT),
];

function labelOf(spec: PairingSpec): string {
    return `${spec.kind === "outputs" ? `class ${spec.name}` : spec.name} ↔ ${spec.where}`;
}

function pairing(api: TypeScriptApi, schema: any, spec: PairingSpec): Pairing {
    return {
        label: labelOf(spec),
        ts: spec.kind === "inputs" ? api.interfaceProperties(spec.file, spec.name) : api.classOutputs(spec.file, spec.name),
        schema: spec.schemaSide(schema),
        // Outputs may be absent at run time whatever their declaration says (e.g. a skipped policy).
        compareRequired: spec.kind === "inputs",
    };
}

describe("schema.json and the TypeScript API do not drift", function () {
    let api: TypeScriptApi;
    let schema: any;

    before(function () {
        this.timeout(120_000); // one type-checked program over the SDK and its @pulumi dependencies
        api = new TypeScriptApi(["sdk/repository.ts", "sdk/lifecycle/types.ts", "sdk/image.ts", "sdk/scan-gate/types.ts"]);
        schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8"));
    });

    for (const spec of PAIRINGS) {
        it(`${labelOf(spec)}: the same properties on both sides`, () => {
            const compared = pairing(api, schema, spec);
            assert.ok(compared.ts.size > 0 && compared.schema.size > 0, `${compared.label} compares nothing`);
            assert.deepEqual(drift(compared), []);
        });
    }

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
