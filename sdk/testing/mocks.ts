// Pulumi mocks that stand in for ECR and docker-build, and record what the program registered.
import * as pulumi from "@pulumi/pulumi";
import { AccountRegion, FAKE_ACCOUNT, FAKE_REGION, imageAnswer, invokeAnswer, physicalName, policyAnswer, repositoryAnswer } from "./answers";
import { settle } from "./outputs";
import { recordRegistration, Registration, watchRegistrationRequests } from "./registration";
import { DOCKER_BUILD_IMAGE, ECR_REPOSITORY, GET_AUTHORIZATION_TOKEN, LIFECYCLE_POLICY, REPOSITORY_POLICY } from "./types";

export interface EcrMocksOptions {
    /**
     * The AWS account ID the mocked cloud answers for.
     * @default FAKE_ACCOUNT, "123456789012"
     */
    account?: string;
    /**
     * The region of resources that name none.
     * @default FAKE_REGION, "us-west-2"
     */
    region?: string;
    /**
     * Run the program as `pulumi preview` does (true) rather than `pulumi up`.
     * @default false
     */
    preview?: boolean;
    /**
     * The project name, as `pulumi.getProject()` returns it.
     * @default the project the Pulumi runtime already has, else "project" (as Pulumi's setMocks does)
     */
    project?: string;
    /**
     * The stack name, as `pulumi.getStack()` returns it.
     * @default the stack the Pulumi runtime already has, else "stack" (as Pulumi's setMocks does)
     */
    stack?: string;
}

/** An invoke the program made (a data source such as the ECR token). */
export interface Invocation {
    /** The function's type token, such as `aws:ecr/getAuthorizationToken:getAuthorizationToken`. */
    token: string;
    /** The arguments the program passed. */
    inputs: Record<string, any>;
}

/**
 * Mocks for `pulumi.runtime.setMocks` that answer as ECR and docker-build would: repositories with their ARN
 * and URL, policies, the ECR token (its password a secret) and pushed images with a digest derived from the
 * build. Other resources get their inputs back; extend `stateOf` and `invokeResultOf` to answer them.
 */
export class EcrMocks implements pulumi.runtime.Mocks {
    /** The AWS account ID the mocked cloud answers for. */
    readonly account: string;
    /** The region of resources that name none. */
    readonly region: string;
    /** Whether `install` sets up a preview; changing it takes effect at the next `install`. */
    preview: boolean;
    /** The project name given, if any (see `EcrMocksOptions.project`). */
    readonly project?: string;
    /** The stack name given, if any (see `EcrMocksOptions.stack`). */
    readonly stack?: string;
    /** Every resource the program registered, in order. */
    readonly registrations: Registration[] = [];
    /** Every invoke the program made, in order. */
    readonly invocations: Invocation[] = [];

    constructor(options: EcrMocksOptions = {}) {
        this.account = options.account ?? FAKE_ACCOUNT;
        this.region = options.region ?? FAKE_REGION;
        this.preview = options.preview ?? false;
        this.project = options.project;
        this.stack = options.stack;
    }

    /**
     * Makes these mocks Pulumi's runtime. Call it before the program constructs its resources (before a program
     * that does so at its top level is imported); between tests, prefer `installEcrMocks`, which first lets the
     * previous test's registrations finish.
     */
    install(): this {
        watchRegistrationRequests();
        pulumi.runtime.setMocks(this, this.project, this.stack, this.preview);
        return this;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult | Promise<pulumi.runtime.MockResourceResult> {
        this.record(args);
        return { id: `${args.name}-id`, state: this.stateOf(args.type, args.name, args.inputs) ?? args.inputs };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        this.invocations.push({ token: args.token, inputs: args.inputs });
        return this.invokeResultOf(args.token, args.inputs) ?? {};
    }

    /** Every registration of a type, in order. */
    ofType(type: string): Registration[] {
        return this.registrations.filter((registration) => registration.type === type);
    }

    /**
     * The single registration of a type (and name, when given); fails, listing what was registered, when there
     * is not exactly one.
     */
    one(type: string, name?: string): Registration {
        const found = this.ofType(type).filter((registration) => name === undefined || registration.name === name);
        if (found.length !== 1) {
            const wanted = name === undefined ? type : `${type} named ${JSON.stringify(name)}`;
            const registered = this.registrations.map((registration) => `${registration.type} ${registration.name}`).join(", ");
            throw new Error(`expected exactly one ${wanted}, found ${found.length}; registered: ${registered || "nothing"}`);
        }
        return found[0];
    }

    /** Forgets what was registered and invoked. */
    reset(): void {
        this.registrations.length = 0;
        this.invocations.length = 0;
    }

    /** Adds a registration to the record; for a subclass that answers some resources itself. */
    protected record(args: pulumi.runtime.MockResourceArgs): Registration {
        const registration = recordRegistration(args.type, args.name, args.inputs);
        this.registrations.push(registration);
        return registration;
    }

    /**
     * A resource's state after creation, or `undefined` for one these mocks do not know (it gets its inputs).
     * What the cloud picks when it builds (an image's digest) stays unknown in a preview; what follows from
     * the request (a repository's ARN and URL) is answered at once.
     */
    protected stateOf(type: string, name: string, inputs: Record<string, any>): Record<string, any> | undefined {
        const where: AccountRegion = { account: this.account, region: inputs.region ?? this.region };
        switch (type) {
            case ECR_REPOSITORY: {
                const repositoryName = physicalName(name, inputs);
                return { ...inputs, name: repositoryName, region: where.region, ...repositoryAnswer(where, repositoryName) };
            }
            case LIFECYCLE_POLICY:
            case REPOSITORY_POLICY:
                return { ...inputs, region: where.region, ...policyAnswer(where) };
            case DOCKER_BUILD_IMAGE:
                return pulumi.runtime.isDryRun() ? inputs : { ...inputs, ...imageAnswer(inputs, name) };
            default:
                return undefined;
        }
    }

    /** An invoke's result, or `undefined` for one these mocks do not know (it gets an empty result). */
    protected invokeResultOf(token: string, inputs: Record<string, any>): Record<string, any> | undefined {
        const answer = invokeAnswer(this, token, inputs);
        if (token === GET_AUTHORIZATION_TOKEN && answer !== undefined) {
            // The AWS provider marks these secret; a program must keep them so.
            return { ...answer, password: pulumi.secret(answer.password), authorizationToken: pulumi.secret(answer.authorizationToken) };
        }
        return answer;
    }
}

/**
 * Installs fresh mocks for a test, e.g. in mocha's `beforeEach`: waits until what the previous test started
 * has reached its own mocks, so nothing leaks into this test's record, then installs new ones.
 */
export async function installEcrMocks(options: EcrMocksOptions = {}): Promise<EcrMocks> {
    await settle();
    return new EcrMocks(options).install();
}
