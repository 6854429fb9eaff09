// Reading a program's Outputs in a test. An Output's value is not meant to be read outside `apply`; a test
// needs it, and whether it is known (a preview) and secret.
import * as pulumi from "@pulumi/pulumi";

/** What an Output holds under the hood; `pulumi.Output` keeps these internal. */
interface OutputInternals<T> {
    promise(): Promise<T>;
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
}

function internals<T>(output: pulumi.Output<T>): OutputInternals<T> {
    return output as unknown as OutputInternals<T>;
}

/** An Output's value; `undefined` when it is unknown (a value only the deployment reveals, in a preview). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return internals(output).promise();
}

/** Whether an Output's value is known: false for what a preview cannot know yet, such as an image's digest. */
export function isKnownOutput(output: pulumi.Output<unknown>): Promise<boolean> {
    return internals(output).isKnown;
}

/** Whether an Output is marked secret, so Pulumi encrypts it in the state and masks it in the plan. */
export function isSecretOutput(output: pulumi.Output<unknown>): Promise<boolean> {
    return internals(output).isSecret;
}

/**
 * Waits until every resource and invoke the program started has reached the mocks. A component registers its
 * children from inside `apply` callbacks, so assert on the record only after this.
 */
export async function settle(): Promise<void> {
    const settings: { waitForRPCs(): Promise<void> } = require("@pulumi/pulumi/runtime/settings");
    await settings.waitForRPCs();
}
