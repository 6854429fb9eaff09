// What a program registered, as the engine would see it. Pulumi's mocks are handed a resource's type, name
// and inputs; its parent, URN and options stay in the request, which is read here as it passes.
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

export interface Registration {
    /** The resource's type token, such as `aws:ecr/repository:Repository`. */
    type: string;
    /** The resource's name, as the program gave it. */
    name: string;
    /** Inputs as the engine receives them: a secret stays wrapped (see `isSecretWrapper`). */
    inputs: Record<string, any>;
    /** The URN the engine gave it, once the registration has completed. */
    urn?: string;
    /** The parent's URN; undefined for a resource at the top of the stack. */
    parent?: string;
    /** The `deleteBeforeReplace` resource option. */
    deleteBeforeReplace?: boolean;
    /** The `retainOnDelete` resource option. */
    retainOnDelete?: boolean;
    /**
     * Inputs exactly as the program serialized them. On the way to `inputs`, Pulumi moves a secret nested in a
     * list up to the whole property; here it stays where it was (a registry's password alone), and a value
     * unknown in a preview is the wire's unknown marker (`unknownValue` of `@pulumi/pulumi/runtime/rpc`).
     */
    wireInputs?: Record<string, any>;
}

/** The request of the registration under way, with the record made for it once the mocks are asked. */
interface RequestInFlight {
    request: { getParent(): string; getDeletebeforereplace(): boolean; getRetainondelete(): boolean; getObject(): { toJavaScript(): object } | undefined };
    registration?: Registration;
}

let inFlight: RequestInFlight | undefined;
let watching = false;

/**
 * Lets `recordRegistration` see each registration request. The mock monitor asks the mocks synchronously from
 * inside `registerResource`, so the request seen there is the one being answered, even when many registrations
 * are under way at once. Idempotent: Pulumi's runtime is one per process.
 */
export function watchRegistrationRequests(): void {
    if (watching) {
        return;
    }
    watching = true;
    const register = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = function (this: MockMonitor, request: any, callback: (error: unknown, response: any) => void) {
        const capture: RequestInFlight = { request };
        inFlight = capture;
        try {
            return register.call(this, request, (error: unknown, response: any) => {
                if (!error && capture.registration !== undefined) {
                    capture.registration.urn = response.getUrn();
                }
                callback(error, response);
            });
        } finally {
            inFlight = undefined;
        }
    };
}

/** A record of a resource the mocks were asked for, with what its registration request carries. */
export function recordRegistration(type: string, name: string, inputs: Record<string, any>): Registration {
    const registration: Registration = { type, name, inputs };
    const capture = inFlight;
    if (capture !== undefined) {
        capture.registration = registration;
        registration.parent = capture.request.getParent() || undefined;
        registration.deleteBeforeReplace = capture.request.getDeletebeforereplace();
        registration.retainOnDelete = capture.request.getRetainondelete();
        registration.wireInputs = (capture.request.getObject()?.toJavaScript() ?? {}) as Record<string, any>;
    }
    return registration;
}
