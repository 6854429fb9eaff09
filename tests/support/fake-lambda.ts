// A local stand-in for the Lambda API, enough for `--in-use lambda`: the REST-JSON protocol of
// ListFunctions, GetFunction (with Qualifier) and ListAliases under /2015-03-31, paginated by Marker, with
// Lambda's error shape (`x-amzn-ErrorType`). It can throttle and deny calls, and refuses requests that are
// not SigV4-signed for lambda.
import { delay, LoopbackServer, replyJson, serveOnLoopback, Signature, sigV4Signature, throttler } from "./loopback";

const ACCOUNT = "123456789012";

export interface FakeFunctionCode {
    /** As deployed: may name a tag. */
    ImageUri: string;
    /** The digest Lambda resolved it to. */
    ResolvedImageUri: string;
}

export interface FakeFunction {
    FunctionName: string;
    PackageType: "Image" | "Zip";
    /** `$LATEST` and published version numbers → their code. */
    versions: Record<string, FakeFunctionCode>;
    aliases?: Array<{ Name: string; FunctionVersion: string; AdditionalVersionWeights?: Record<string, number> }>;
}

export interface FakeLambdaOptions {
    functions: FakeFunction[];
    /** Items per page; Lambda's own limit is 50. */
    pageSize?: number;
    /** Operation → how many of its first calls to answer with TooManyRequestsException. */
    throttle?: Record<string, number>;
    /** `Operation` or `Operation function` → refused with AccessDeniedException. */
    deny?: string[];
    latencyMs?: number;
}

export interface LambdaCall extends Signature {
    operation: string;
    functionName?: string;
    query: Record<string, string>;
    throttled: boolean;
}

export interface FakeLambda extends LoopbackServer {
    calls: LambdaCall[];
    /** Requests refused because they were not SigV4-signed for lambda (should stay empty). */
    unsigned: string[];
}

class LambdaError extends Error {
    constructor(readonly status: number, readonly type: string, message: string) {
        super(message);
    }
}

const ROUTES: Array<[RegExp, string]> = [
    [/^\/2015-03-31\/functions\/?$/, "ListFunctions"],
    [/^\/2015-03-31\/functions\/([^/]+)\/aliases\/?$/, "ListAliases"],
    [/^\/2015-03-31\/functions\/([^/]+)\/?$/, "GetFunction"],
];

export async function startFakeLambda(options: FakeLambdaOptions): Promise<FakeLambda> {
    const calls: LambdaCall[] = [];
    const unsigned: string[] = [];
    const throttles = throttler(options.throttle);
    const pageSize = options.pageSize ?? 50;
    const server = await serveOnLoopback(async (request, _text, response) => {
        const url = new URL(request.url ?? "/", "http://localhost");
        const route = ROUTES.map(([pattern, operation]) => ({ match: pattern.exec(url.pathname), operation })).find((entry) => entry.match !== null);
        const operation = route?.operation ?? `${request.method} ${url.pathname}`;
        const functionName = route?.match?.[1] === undefined ? undefined : decodeURIComponent(route.match[1]);
        const signature = sigV4Signature(request, "lambda");
        await delay(options.latencyMs ?? 0);
        try {
            if (signature === undefined) {
                unsigned.push(operation);
                throw new LambdaError(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
            }
            if (route === undefined || request.method !== "GET") {
                throw new LambdaError(404, "UnknownOperationException", `unknown operation ${operation}`);
            }
            const query = Object.fromEntries(url.searchParams);
            const throttled = throttles(operation);
            calls.push({ operation, functionName, query, throttled, ...signature });
            if (throttled) {
                throw new LambdaError(429, "TooManyRequestsException", "Rate exceeded");
            }
            if (options.deny?.includes(operation) || (functionName !== undefined && options.deny?.includes(`${operation} ${functionName}`))) {
                throw new LambdaError(403, "AccessDeniedException", `User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: ` +
                    `lambda:${operation} on resource: ${functionArn(functionName ?? "*")} because no identity-based policy allows the lambda:${operation} action`);
            }
            replyJson(response, 200, handle(operation, functionName, query), { "Content-Type": "application/json" });
        } catch (error) {
            if (!(error instanceof LambdaError)) {
                throw error;
            }
            replyJson(response, error.status, { Type: "User", message: error.message },
                { "Content-Type": "application/json", "x-amzn-ErrorType": error.type });
        }
    });
    return { ...server, calls, unsigned };

    function handle(operation: string, functionName: string | undefined, query: Record<string, string>): unknown {
        if (operation === "ListFunctions") {
            const { items, NextMarker } = page(options.functions, query);
            return { Functions: items.map((fn) => configuration(fn, "$LATEST")), ...(NextMarker !== undefined ? { NextMarker } : {}) };
        }
        const fn = options.functions.find((candidate) => candidate.FunctionName === functionName);
        if (fn === undefined) {
            throw new LambdaError(404, "ResourceNotFoundException", `Function not found: ${functionArn(functionName!)}`);
        }
        if (operation === "ListAliases") {
            const { items, NextMarker } = page(fn.aliases ?? [], query);
            return {
                Aliases: items.map((alias) => ({
                    AliasArn: `${functionArn(fn.FunctionName)}:${alias.Name}`,
                    Name: alias.Name,
                    FunctionVersion: alias.FunctionVersion,
                    ...(alias.AdditionalVersionWeights !== undefined ? { RoutingConfig: { AdditionalVersionWeights: alias.AdditionalVersionWeights } } : {}),
                })),
                ...(NextMarker !== undefined ? { NextMarker } : {}),
            };
        }
        const version = query.Qualifier ?? "$LATEST";
        const code = fn.versions[version];
        if (code === undefined) {
            throw new LambdaError(404, "ResourceNotFoundException", `Function not found: ${functionArn(fn.FunctionName)}:${version}`);
        }
        return {
            Configuration: configuration(fn, version),
            Code: fn.PackageType === "Image" ? { RepositoryType: "ECR", ...code } : { RepositoryType: "S3", Location: "https://example.invalid/code.zip" },
        };
    }

    function page<T>(items: T[], query: Record<string, string>): { items: T[]; NextMarker?: string } {
        const start = query.Marker === undefined ? 0 : Number(Buffer.from(query.Marker, "base64").toString("utf8"));
        const end = start + Math.min(pageSize, Number(query.MaxItems ?? 50));
        return { items: items.slice(start, end), ...(end < items.length ? { NextMarker: Buffer.from(String(end)).toString("base64") } : {}) };
    }
}

const functionArn = (name: string) => `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${name}`;

function configuration(fn: FakeFunction, version: string): unknown {
    return { FunctionName: fn.FunctionName, FunctionArn: functionArn(fn.FunctionName), PackageType: fn.PackageType, Version: version };
}
