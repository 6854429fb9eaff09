// Inputs that depend on other resources or are secret reach the provider as Outputs, which the components can
// only check once they resolve: too late, children would be registered by then. The engine sends them
// resolved already (or unknown, in a preview), so the provider resolves them first and checks the values.
import * as pulumi from "@pulumi/pulumi";
import { isPlainRecord } from "../sdk/inputs";
import { leavesOf } from "../sdk/validation/errors";

export interface ResolvedInputs {
    /** The inputs with every known Output replaced by its value; unknown ones stay Outputs (the checks skip those). */
    values: pulumi.Inputs;
    /** The plain values inside secret inputs, for masking. */
    secrets: Array<string | number | boolean>;
}

export async function resolveInputs(inputs: pulumi.Inputs): Promise<ResolvedInputs> {
    const secrets: Array<string | number | boolean> = [];
    const resolve = async (value: unknown): Promise<unknown> => {
        if (pulumi.Output.isInstance(value)) {
            const output = value as any;
            if (!(await output.isKnown)) {
                return value;
            }
            const resolved = await output.promise();
            if (await output.isSecret) {
                secrets.push(...leavesOf(resolved));
            }
            return resolve(resolved);
        }
        if (Array.isArray(value)) {
            return Promise.all(value.map(resolve));
        }
        if (isPlainRecord(value)) {
            return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([key, inner]) => [key, await resolve(inner)])));
        }
        return value;
    };
    const values = await resolve(inputs) as pulumi.Inputs;
    return { values, secrets };
}
