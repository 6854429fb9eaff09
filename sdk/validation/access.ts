import type { Unwrap } from "@pulumi/pulumi";
import type { RepositoryAccess } from "../repository";
import { checkKnownKeys, describeValue, isRecord, joinPath, ProblemList } from "./errors";
import { checkStringList, StringListRule } from "./string-list";

type RepositoryAccessPlain = Unwrap<RepositoryAccess>;

const ACCESS_FIELDS = { pull: true, push: true, lambdaPull: true } as const satisfies Record<keyof RepositoryAccess, true>;

export const PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"];
export const PUSH_ACTIONS = [...PULL_ACTIONS, "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"];
/** What the Lambda service needs to fetch a function's image (AWS Lambda developer guide). */
export const LAMBDA_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

const ACCOUNT_ID = /^\d{12}$/;
const IAM_PRINCIPAL_ARN = /^arn:aws(?:-[a-z]+)*:(?:iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/:-]+$/;
const LAMBDA_FUNCTION_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:lambda:[a-z0-9*-]+:(?:\d{12}|\*):function:[A-Za-z0-9_*:$-]+$/;

const PRINCIPALS: StringListRule = {
    entry: "a 12-digit AWS account ID or an IAM principal ARN (arn:aws:iam::123456789012:role/name)",
    isValid: (entry) => ACCOUNT_ID.test(entry) || IAM_PRINCIPAL_ARN.test(entry),
    leftOut: "to grant nothing",
    explain: (entry) => (entry === "*" ? ": \"*\" would open the repository to every AWS account; name the accounts or roles." : undefined),
};
const LAMBDA_FUNCTION_PATTERNS: StringListRule = {
    entry: "a Lambda function ARN pattern such as arn:aws:lambda:us-east-1:123456789012:function:my-fn*",
    isValid: (entry) => LAMBDA_FUNCTION_ARN_PATTERN.test(entry),
    leftOut: "to grant nothing",
};

/** An account ID means "the whole account", which IAM spells as the account's root ARN. */
function principalArn(principal: string): string {
    return ACCOUNT_ID.test(principal) ? `arn:aws:iam::${principal}:root` : principal;
}

/**
 * Builds the repository policy for `access`, granting exactly the ECR actions each role needs.
 * Returns `undefined` when nothing is granted, so no policy resource is created.
 */
export function buildRepositoryPolicy(access: RepositoryAccessPlain | undefined, basePath: string, problems: ProblemList): string | undefined {
    if (access === undefined) {
        return undefined;
    }
    if (!isRecord(access)) {
        problems.add(basePath, `must be an object such as { pull: ["123456789012"] }, but is ${describeValue(access)}.`);
        return undefined;
    }
    const statements: object[] = [];
    const { pull, push, lambdaPull } = access;
    checkKnownKeys(access, ACCESS_FIELDS, basePath, "access", problems);
    if (checkStringList(pull, joinPath(basePath, "pull"), PRINCIPALS, problems)) {
        statements.push({ Sid: "AllowPull", Effect: "Allow", Principal: { AWS: pull.map(principalArn) }, Action: PULL_ACTIONS });
    }
    if (checkStringList(push, joinPath(basePath, "push"), PRINCIPALS, problems)) {
        statements.push({ Sid: "AllowPush", Effect: "Allow", Principal: { AWS: push.map(principalArn) }, Action: PUSH_ACTIONS });
    }
    if (checkStringList(lambdaPull, joinPath(basePath, "lambdaPull"), LAMBDA_FUNCTION_PATTERNS, problems)) {
        statements.push({
            Sid: "AllowLambdaPull",
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: LAMBDA_PULL_ACTIONS,
            Condition: { StringLike: { "aws:sourceArn": lambdaPull } },
        });
    }
    return statements.length === 0 ? undefined : JSON.stringify({ Version: "2012-10-17", Statement: statements });
}
