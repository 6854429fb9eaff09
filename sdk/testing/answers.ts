// What the mocked cloud answers, as AWS and docker-build would: computed from the request alone, so the same
// program always gets the same answer. Plain functions of the account, the region and the request, so both
// the Pulumi mocks and a stand-in engine can answer alike.
import { fakeDigest } from "./digest";
import { GET_AUTHORIZATION_TOKEN, GET_CALLER_IDENTITY, GET_REGION } from "./types";

/** The AWS account and region the mocked cloud stands in for. */
export interface AccountRegion {
    /** The 12-digit account ID: the registry ID and the first part of every repository URL. */
    account: string;
    /** The region, as in `us-west-2`: part of every ARN and repository URL. */
    region: string;
}

/** The account the mocks answer for unless told otherwise. */
export const FAKE_ACCOUNT = "123456789012";
/** The region of resources that name none, unless told otherwise. */
export const FAKE_REGION = "us-west-2";

/** The password in the ECR token the mocks hand out: a test can check that it never appears in plain text. */
export const FAKE_PASSWORD = "ecr-password-that-must-stay-secret";

/** The suffix the mocks give an auto-named resource, where Pulumi's auto-naming adds a random one. */
const AUTONAME_SUFFIX = "abc1234";

/** The name the provider gives a resource: the one asked for, or the resource name plus the suffix. */
export function physicalName(name: string, inputs: Record<string, any>): string {
    return inputs.name ?? `${name}-${AUTONAME_SUFFIX}`;
}

/** The ECR host of an account's registry in a region. */
export function registryHost(where: AccountRegion): string {
    return `${where.account}.dkr.ecr.${where.region}.amazonaws.com`;
}

/** What ECR reports for a repository once created. */
export function repositoryAnswer(where: AccountRegion, repositoryName: string): { arn: string; registryId: string; repositoryUrl: string } {
    return {
        arn: `arn:aws:ecr:${where.region}:${where.account}:repository/${repositoryName}`,
        registryId: where.account,
        repositoryUrl: `${registryHost(where)}/${repositoryName}`,
    };
}

/** What ECR reports for a lifecycle or repository policy, besides the policy it was given. */
export function policyAnswer(where: AccountRegion): { registryId: string } {
    return { registryId: where.account };
}

/** ECR's GetAuthorizationToken for a registry; `password` and `authorizationToken` are what must stay secret. */
export function authorizationTokenAnswer(where: AccountRegion, registryId = where.account) {
    return {
        authorizationToken: Buffer.from(`AWS:${FAKE_PASSWORD}`).toString("base64"),
        expiresAt: "2030-01-01T00:00:00Z",
        id: where.region,
        password: FAKE_PASSWORD,
        proxyEndpoint: `https://${registryHost({ account: registryId, region: where.region })}`,
        region: where.region,
        registryId,
        userName: "AWS",
    };
}

/**
 * What docker-build reports for a pushed image: a digest of everything the build was given, so a changed
 * build gets a changed digest, and `ref`, the image's repository (its first tag without the tag) pinned by it.
 */
export function imageAnswer(inputs: Record<string, unknown>, fallbackRepository: string): { digest: string; ref: string } {
    const digest = fakeDigest(inputs);
    const tags = inputs.tags;
    const firstTag = Array.isArray(tags) && typeof tags[0] === "string" ? tags[0] : fallbackRepository;
    return { digest, ref: `${firstTag.replace(/:[^:/]*$/, "")}@${digest}` };
}

/**
 * What AWS answers for the data sources a program that uses ecrx calls (the ECR token, the caller's account,
 * the region), with secrets in plain text; `undefined` for other invokes.
 */
export function invokeAnswer(where: AccountRegion, token: string, inputs: Record<string, any>): Record<string, unknown> | undefined {
    const region = inputs.region ?? where.region;
    switch (token) {
        case GET_AUTHORIZATION_TOKEN:
            return authorizationTokenAnswer({ account: where.account, region }, inputs.registryId);
        case GET_CALLER_IDENTITY:
            return { accountId: where.account, arn: `arn:aws:iam::${where.account}:user/test`, userId: "AIDTEST", id: where.account };
        case GET_REGION:
            return { id: region, region, name: region, endpoint: `ec2.${region}.amazonaws.com` };
        default:
            return undefined;
    }
}
