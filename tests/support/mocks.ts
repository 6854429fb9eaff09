// The project's own test cloud: the examples' cloud, plus what only these tests need: answers a test swaps
// in to fail the cloud, and creations a test performs itself.
// Call `installMocks()` before importing the code under test, as Pulumi's testing guide requires.
import * as pulumi from "@pulumi/pulumi";
import { ExampleCloud } from "../../demo/example-cloud";

export class MockCloud extends ExampleCloud {
    /** A cloud that answers otherwise (nothing at all, an empty token): what it answers instead, or undefined for the usual. */
    answerInstead?: { state?(type: string, name: string, inputs: Record<string, any>): Record<string, any> | undefined; invoke?(token: string): Record<string, any> | undefined };
    /**
     * Types whose creation a test performs itself, as the engine would through the resource's provider: the
     * state it resolves to, or the error the deployment fails with.
     */
    readonly creators = new Map<string, (name: string, inputs: Record<string, any>) => Promise<Record<string, any>>>();

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult | Promise<pulumi.runtime.MockResourceResult> {
        const creator = this.creators.get(args.type);
        if (creator === undefined || pulumi.runtime.isDryRun()) {
            return super.newResource(args);
        }
        this.record(args);
        return creator(args.name, args.inputs).then((state) => ({ id: `${args.name}-id`, state }));
    }

    protected stateOf(type: string, name: string, inputs: Record<string, any>): Record<string, any> | undefined {
        return this.answerInstead?.state?.(type, name, inputs) ?? super.stateOf(type, name, inputs);
    }

    protected invokeResultOf(token: string, inputs: Record<string, any>): Record<string, any> | undefined {
        return this.answerInstead?.invoke?.(token) ?? super.invokeResultOf(token, inputs);
    }
}

let installed: MockCloud | undefined;

/**
 * Installs the mocks and returns the recorder: one per process, so a test file may keep the one it got at load
 * time while others install it again. `preview` decides whether the program runs as a `pulumi preview` (true)
 * or an update.
 */
export function installMocks(options: { preview?: boolean } = {}): MockCloud {
    installed ??= new MockCloud();
    installed.preview = options.preview ?? false;
    return installed.install();
}
