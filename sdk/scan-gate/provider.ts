// The scan gate as a resource provider: create and update run the gate, diff decides when it runs again.
// Both hosts call these functions: the ecrx provider plugin (for programs in other languages) and the
// dynamic provider of TypeScript programs, which loads this module from the installed package by name, so
// the state holds no gate code and no credentials. No Pulumi imports.
import { ECRClient } from "@aws-sdk/client-ecr";
import { parseRepositoryUrl } from "../validation/image-plan";
import { shortDigest } from "../lifecycle/reasons";
import { Clock, readScans, ScanGateError, systemClock } from "./scan";
import { ScanGatePolicy } from "./settings";
import { ScanFindings } from "./types";
import { gateFailureMessage, judgeScan } from "./verdict";

/** The gate resource's inputs: what a re-check depends on. */
export interface ScanGateInputs {
    /** The Image's resource name, for messages. */
    imageName: string;
    /** `<repositoryUrl>@sha256:...`, the pushed image. */
    imageUri: string;
    policy: ScanGatePolicy;
    /** The stack's `aws:profile`, a profile name (never a credential). */
    awsProfile?: string;
    /**
     * The ECR repository the image went to, when the Image knows it from its Repository (an ECR endpoint's
     * host need not name the account and region, as an ECR behind a VPC endpoint alias or the sandbox's
     * does not). Otherwise it is read from `imageUri`'s ECR host. `region` absent: the host's, else the AWS SDK's default.
     */
    repository?: { registryId: string; repositoryName: string; region?: string };
}

export interface ScanGateOutputs extends ScanGateInputs {
    scanFindings: ScanFindings;
}

/** How the gate reaches ECR; tests give a clock that does not wait. */
export interface GateEnvironment {
    clock: Clock;
    /** `region` undefined: the AWS SDK's default region. */
    client(region: string | undefined, profile: string | undefined): ECRClient;
}

const defaultEnvironment: GateEnvironment = {
    clock: systemClock,
    // The standard credential chain, read when the gate runs: nothing about credentials is an input or in state.
    client: (region, profile) => new ECRClient({ ...(region !== undefined ? { region } : {}), ...(profile !== undefined ? { profile } : {}) }),
};

function explainAwsError(error: unknown, repository: string): unknown {
    if (!(error instanceof Error) || error instanceof ScanGateError) {
        return error;
    }
    // The SDK's credential providers throw before any request, so such an error has no response metadata.
    if (error.name === "CredentialsProviderError" || (/credential/i.test(error.message) && (error as { $metadata?: unknown }).$metadata === undefined)) {
        return new ScanGateError(`the scan gate found no AWS credentials to read ECR with (${error.message}). It uses the standard AWS ` +
            "credential chain of the machine running pulumi: AWS_PROFILE or the stack's aws:profile, AWS_ACCESS_KEY_ID and " +
            "AWS_SECRET_ACCESS_KEY, SSO, or an instance or task role.");
    }
    if (error.name === "AccessDeniedException") {
        return new ScanGateError(`the scan gate may not read ${repository}: ${error.message}. It needs ecr:BatchGetImage and ` +
            "ecr:DescribeImageScanFindings on the repository.");
    }
    return new ScanGateError(`the scan gate could not read ${repository} from ECR: ${error.name}: ${error.message}`);
}

function ecrRepositoryOf(repositoryUrl: string): ScanGateInputs["repository"] {
    const location = parseRepositoryUrl(repositoryUrl);
    return typeof location === "object" && location.kind === "ecr"
        ? { registryId: location.registryId, repositoryName: location.name, region: location.region } : undefined;
}

/** The verdict for the pushed image; throws `ScanGateError` with the whole explanation when it does not pass. */
export async function runScanGate(inputs: ScanGateInputs, environment: GateEnvironment = defaultEnvironment): Promise<ScanGateOutputs> {
    const { imageName, imageUri, policy } = inputs;
    const at = imageUri.lastIndexOf("@");
    const fromUrl = at < 0 ? undefined : ecrRepositoryOf(imageUri.slice(0, at));
    // The Repository's name and account, and the region the Image was given, else its ECR host's.
    const location = at < 0 || inputs.repository === undefined ? fromUrl
        : { ...inputs.repository, region: inputs.repository.region ?? fromUrl?.region };
    if (location === undefined) {
        throw new ScanGateError(`Image "${imageName}": the scan gate needs an ECR image, but ${JSON.stringify(imageUri)} is not one.`);
    }
    const digest = imageUri.slice(at + 1);
    const subject = `Image "${imageName}" (${imageUri.slice(0, at)}@${shortDigest(digest)})`;
    const { clock } = environment;
    const client = environment.client(location.region, inputs.awsProfile);
    const started = clock.now();
    let outcome;
    try {
        outcome = await readScans(client, { registryId: location.registryId, repositoryName: location.repositoryName, digest },
            started + policy.timeoutSeconds * 1000, clock);
    } catch (error) {
        const explained = explainAwsError(error, location.repositoryName);
        throw explained instanceof ScanGateError ? new ScanGateError(`${subject}: ${explained.message}`) : explained;
    } finally {
        client.destroy();
    }
    if (!outcome.done) {
        if (policy.onTimeout === "warn") {
            // Unjudged: the counts are those of the images whose scans finished in time, and there is no completion.
            const { completedAt: _unfinished, ...partial } = judgeScan(policy, outcome.images, clock.now()).findings;
            return { ...inputs, scanFindings: { ...partial, timedOut: true } };
        }
        throw new ScanGateError(`${subject} did not pass the scan gate: it waited ${policy.timeoutSeconds} s for ${outcome.waitingFor}, ` +
            "which did not finish. imageUri was not updated. If the scan never starts, turn on scanOnPush for the repository " +
            "(or a registry scanning rule that covers it); if it is only slow, raise scanGate.timeout, or set onTimeout: \"warn\" " +
            "to let an image through unjudged.");
    }
    const verdict = judgeScan(policy, outcome.images, clock.now());
    if (!verdict.passed) {
        throw new ScanGateError(gateFailureMessage(subject, verdict, policy));
    }
    return { ...inputs, scanFindings: verdict.findings };
}

/**
 * Whether the gate must run again: a new digest, new gate settings, or a previous run that timed out and
 * let the image through unjudged. A no-op `pulumi up` re-checks nothing.
 */
function gateMustRun(olds: Partial<ScanGateOutputs>, news: ScanGateInputs): boolean {
    return olds.imageUri !== news.imageUri || canonicalJson(olds.policy) !== canonicalJson(news.policy) || olds.scanFindings?.timedOut === true;
}

/** JSON with object keys sorted: the engine hands back state with its own key order. */
function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_key, inner) => inner !== null && typeof inner === "object" && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
        : inner);
}

/** The provider methods, in the dynamic provider's shape (the plugin adapts them to its own). */
export const scanGateProvider = {
    async diff(_id: string, olds: Partial<ScanGateOutputs>, news: ScanGateInputs): Promise<{ changes: boolean }> {
        return { changes: gateMustRun(olds, news) };
    },
    async create(inputs: ScanGateInputs): Promise<{ id: string; outs: ScanGateOutputs }> {
        // The gate records a verdict rather than owning anything in the cloud; the Image's name identifies it.
        return { id: inputs.imageName, outs: await runScanGate(inputs) };
    },
    async update(_id: string, _olds: Partial<ScanGateOutputs>, news: ScanGateInputs): Promise<{ outs: ScanGateOutputs }> {
        return { outs: await runScanGate(news) };
    },
};
