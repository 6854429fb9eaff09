// Registers the scan gate of an Image: the resource whose outputs, `imageUri` among them, exist only once
// the gate has passed. Inside the ecrx provider plugin it is `ecrx:index:ScanGate`, a resource of that same
// plugin; in a TypeScript program it is a dynamic resource, because the program runs without the plugin.
import * as pulumi from "@pulumi/pulumi";
import type { ScanGateInputs } from "./scan-gate/provider";
import { ScanFindings } from "./scan-gate/types";

export const SCAN_GATE_TYPE = "ecrx:index:ScanGate";
/** The package export the dynamic provider loads at run time (package.json `exports`). */
const GATE_MODULE = "ecrx/scan-gate-provider";

/**
 * What the dynamic resource serializes into state: three calls into the ecrx package installed next to the
 * program, loaded by name when the engine runs the provider. The gate's code stays in the package, so an
 * upgrade of ecrx upgrades the gate, and nothing the closure captures can carry a credential.
 */
const dynamicScanGateProvider: pulumi.dynamic.ResourceProvider = {
    diff: (id, olds, news) => require(GATE_MODULE).scanGateProvider.diff(id, olds, news),
    create: (inputs) => require(GATE_MODULE).scanGateProvider.create(inputs),
    update: (id, olds, news) => require(GATE_MODULE).scanGateProvider.update(id, olds, news),
};

/** Set by the ecrx provider plugin for the process it runs in: its gates are its own resources. */
let pluginVersion: string | undefined;

/** Makes the gates registered in this process resources of the ecrx plugin of this version. */
export function serveScanGatesFromPlugin(version: string): void {
    pluginVersion = version;
}

export interface ScanGateResult {
    imageUri: pulumi.Output<string>;
    scanFindings: pulumi.Output<ScanFindings>;
}

type GateProps = { [K in keyof ScanGateInputs]: pulumi.Input<ScanGateInputs[K]> };

class PluginScanGate extends pulumi.CustomResource {
    declare readonly imageUri: pulumi.Output<string>;
    declare readonly scanFindings: pulumi.Output<ScanFindings>;

    constructor(name: string, props: GateProps, opts: pulumi.CustomResourceOptions) {
        super(SCAN_GATE_TYPE, name, { ...props, scanFindings: undefined }, opts);
    }
}

class DynamicScanGate extends pulumi.dynamic.Resource {
    declare readonly imageUri: pulumi.Output<string>;
    declare readonly scanFindings: pulumi.Output<ScanFindings>;

    constructor(name: string, props: GateProps, opts: pulumi.CustomResourceOptions) {
        super(dynamicScanGateProvider, name, { ...props, scanFindings: undefined }, opts, "ecrx", "ScanGate");
    }
}

/** Registers the gate for a pushed image; its `imageUri` is the input's, resolved only after the verdict. */
export function registerScanGate(name: string, props: GateProps, parent: pulumi.Resource): ScanGateResult {
    const gate = pluginVersion !== undefined
        ? new PluginScanGate(name, props, { parent, version: pluginVersion })
        : new DynamicScanGate(name, props, { parent });
    return { imageUri: gate.imageUri, scanFindings: gate.scanFindings };
}
