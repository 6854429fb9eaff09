import type { Unwrap } from "@pulumi/pulumi";
import type { RepositoryAccess } from "../repository";
import { checkKnownKeys, describeValue, isRecord, joinPath, ProblemList } from "./errors";

export type RepositoryAccessPlain = Unwrap<RepositoryAccess>;

const ACCESS_FIELDS = { pull: true, push: true, lambdaPull: true } as const satisfies Record<keyof RepositoryAccess, true>;

export const PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"];
export const PUSH_ACTIONS = [...PULL_ACTIONS, "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"];
/** What the Lambda service needs to fetch a function's image (AWS Lambda developer guide). */
export const LAMBDA_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

const ACCOUNT_ID = /^\d{12}$/;
const IAM_PRINCIPAL_ARN = /^arn:aws(?:-[a-z]+)*:(?:iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/:-]+$/;
const LAMBDA_FUNCTION_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:lambda:[a-z0-9*-]+:(?:\d{12}|\*):function:[A-Za-z0-9_*:$-]+$/;

const isPrincipal = (entry: string) => ACCOUNT_ID.test(entry) || IAM_PRINCIPAL_ARN.test(entry);
const isLambdaFunctionPattern = (entry: string) => LAMBDA_FUNCTION_ARN_PATTERN.test(entry);

/** An account ID means "the whole account", which IAM spells as the account's root ARN. */
function principalArn(principal: string): string {
    return ACCOUNT_ID.test(principal) ? `arn:aws:iam::${principal}:root` : principal;
}

function checkList(list: unknown, path: string, isValid: (entry: string) => boolean, expected: string, problems: ProblemList): list is string[] {
    if (list === undefined) {
        return false;
    }
    if (!Array.isArray(list) || list.length === 0) {
        problems.add(path, `must be a non-empty list of ${expected}; leave it out to grant nothing.`);
        return false;
    }
    let sound = true;
    list.forEach((entry, index) => {
        if (typeof entry !== "string" || !isValid(entry)) {
            sound = false;
            problems.add(joinPath(path, index), `must be ${expected}, but is ${describeValue(entry)}` +
                (entry === "*" ? ": \"*\" would open the repository to every AWS account; name the accounts or roles." : "."));
        }
    });
    return sound;
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
    const principalKind = "a 12-digit AWS account ID or an IAM principal ARN (arn:aws:iam::123456789012:role/name)";
    const lambdaKind = "a Lambda function ARN pattern such as arn:aws:lambda:us-east-1:123456789012:function:my-fn*";
    const statements: object[] = [];
    const { pull, push, lambdaPull } = access;
    checkKnownKeys(access, ACCESS_FIELDS, basePath, "access", problems);
    if (checkList(pull, joinPath(basePath, "pull"), isPrincipal, principalKind, problems)) {
        statements.push({ Sid: "AllowPull", Effect: "Allow", Principal: { AWS: pull.map(principalArn) }, Action: PULL_ACTIONS });
    }
    if (checkList(push, joinPath(basePath, "push"), isPrincipal, principalKind, problems)) {
        statements.push({ Sid: "AllowPush", Effect: "Allow", Principal: { AWS: push.map(principalArn) }, Action: PUSH_ACTIONS });
    }
    if (checkList(lambdaPull, joinPath(basePath, "lambdaPull"), isLambdaFunctionPattern, lambdaKind, problems)) {
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
