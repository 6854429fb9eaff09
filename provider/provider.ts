import * as pulumi from "@pulumi/pulumi";
import { Image, ImageArgs, RepositoryImageArgs } from "../sdk/image";
import { invalidInputs } from "../sdk/inputs";
import { Repository, RepositoryArgs } from "../sdk/repository";
import { scanGateProvider, ScanGateInputs } from "../sdk/scan-gate/provider";
import { SCAN_GATE_TYPE, serveScanGatesFromPlugin } from "../sdk/scan-gate/resource";
import * as fs from "node:fs";
import * as path from "node:path";
// A default import: a namespace import of JSON also carries a "default" key, which JSON.stringify would serve.
import schema from "./schema.json";

type ComponentType = keyof typeof schema.resources;

/**
 * Components are constructed here and methods are called on them later in the same deployment; the
 * engine refers to them by URN, so the provider keeps the instances it built.
 */
const constructedRepositories = new Map<string, Repository>();

/** Inputs arrive as Outputs when they carry dependencies or secrets; a few must be known at construction. */
async function settled<T>(value: pulumi.Input<T> | undefined): Promise<T | undefined> {
    return pulumi.Output.isInstance(value) ? (value as any).promise() : value;
}

async function repositoryByUrn(reference: unknown, propertyPath: string): Promise<Repository> {
    const urn = await settled(reference as pulumi.Input<string>);
    const repository = typeof urn === "string" ? constructedRepositories.get(urn) : undefined;
    if (repository === undefined) {
        throw invalidInputs(`${propertyPath} does not refer to an ecrx Repository of this deployment`,
            [{ propertyPath, reason: `must be an ecrx Repository created in the same program, but is ${JSON.stringify(urn)}.` }]);
    }
    return repository;
}

/** Image arguments as the SDK takes them: the repository resolved to its instance, `cache` plain. */
async function imageArgsFromWire<T extends { repository?: unknown; cache?: unknown; scanGate?: unknown }>(inputs: T) {
    return {
        ...inputs,
        ...(inputs.repository !== undefined ? { repository: await repositoryByUrn(inputs.repository, "repository") } : {}),
        ...(inputs.cache !== undefined ? { cache: await settled(inputs.cache as pulumi.Input<boolean>) } : {}),
        ...(inputs.scanGate !== undefined ? { scanGate: await settled(inputs.scanGate) } : {}),
    };
}

/** Type token → how to build the SDK component from wire inputs. */
const componentConstructors: Record<ComponentType, (name: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions) => Promise<pulumi.ComponentResource>> = {
    "ecrx:index:Repository": async (name, inputs, options) => {
        const repository = new Repository(name, inputs as RepositoryArgs, options);
        constructedRepositories.set(await (repository.urn as any).promise(), repository);
        return repository;
    },
    "ecrx:index:Image": async (name, inputs, options) => new Image(name, await imageArgsFromWire(inputs) as ImageArgs, options),
};

/** Method token → implementation over a constructed component. */
const methods: Record<keyof typeof schema.functions, (inputs: pulumi.Inputs) => Promise<pulumi.Inputs>> = {
    "ecrx:index:Repository/buildAndPushImage": async ({ __self__, ...args }) => {
        const repository = await repositoryByUrn(__self__, "__self__");
        return { imageUri: repository.buildAndPushImage(await imageArgsFromWire(args) as RepositoryImageArgs).imageUri };
    },
};

/** The component outputs the schema declares, read off the SDK instance so the two cannot disagree. */
function outputsOf(type: ComponentType, component: pulumi.ComponentResource): pulumi.Inputs {
    return Object.fromEntries(Object.keys(schema.resources[type].properties).map((key) => [key, (component as any)[key]]));
}

/** The package version, from the package.json above this file (source or compiled layout alike). */
function packageVersion(): string {
    for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest)) {
            const { name, version } = JSON.parse(fs.readFileSync(manifest, "utf8"));
            if (name === "ecrx") {
                return version;
            }
        }
    }
    throw new Error("cannot find the ecrx package.json");
}

/** The custom resources this plugin serves itself (not components): only the scan gate of an Image. */
function expectScanGate(urn: string): void {
    const type = urn.split("::")[2]?.split("$").pop();
    if (type !== SCAN_GATE_TYPE) {
        throw new Error(`unknown resource type ${type}; this provider serves the custom resource ${SCAN_GATE_TYPE} only`);
    }
}

export class EcrxProvider implements pulumi.provider.Provider {
    readonly version = packageVersion();
    private readonly schemaText = JSON.stringify(schema);

    constructor() {
        // Images constructed here register their scan gates as resources of this plugin.
        serveScanGatesFromPlugin(this.version);
    }

    // ---- The scan gate, a custom resource of this plugin --------------------------------------------

    async diff(id: string, urn: string, olds: any, news: any): Promise<pulumi.provider.DiffResult> {
        expectScanGate(urn);
        return scanGateProvider.diff(id, olds, news as ScanGateInputs);
    }

    async create(urn: string, inputs: any): Promise<pulumi.provider.CreateResult> {
        expectScanGate(urn);
        return scanGateProvider.create(inputs as ScanGateInputs);
    }

    async update(id: string, urn: string, olds: any, news: any): Promise<pulumi.provider.UpdateResult> {
        expectScanGate(urn);
        return scanGateProvider.update(id, olds, news as ScanGateInputs);
    }

    /** A refresh keeps the recorded verdict: the gate judges a push, not the registry's later state. */
    async read(id: string, urn: string, props?: any): Promise<pulumi.provider.ReadResult> {
        expectScanGate(urn);
        return { id, props };
    }

    /** Nothing to delete: the image stays in the repository, where the lifecycle policy expires it. */
    async delete(_id: string, urn: string): Promise<void> {
        expectScanGate(urn);
    }

    async getSchema(): Promise<string> {
        return this.schemaText;
    }

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<pulumi.provider.ConstructResult> {
        const construct = componentConstructors[type as ComponentType];
        if (construct === undefined) {
            throw new Error(`unknown resource type ${type}; this provider has ${Object.keys(componentConstructors).join(", ")}`);
        }
        const component = await construct(name, inputs, options);
        return { urn: component.urn, state: outputsOf(type as ComponentType, component) };
    }

    async call(token: string, inputs: pulumi.Inputs): Promise<pulumi.provider.InvokeResult> {
        const method = methods[token as keyof typeof methods];
        if (method === undefined) {
            throw new Error(`unknown method ${token}; this provider has ${Object.keys(methods).join(", ")}`);
        }
        return { outputs: await method(inputs) };
    }
}
