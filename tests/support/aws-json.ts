// The AWS JSON 1.1 protocol that ECR and ECS speak: `POST /` with `X-Amz-Target: <prefix>.<Operation>` and
// a JSON body; errors as `{ "__type", "message" }` with status 400 (403 for an unsigned request).
import { LoopbackServer, replyJson, serveOnLoopback, Signature, sigV4Signature } from "./loopback";

/** Thrown by a handler: answered as the AWS error `type`. */
export class AwsJsonError extends Error {
    constructor(readonly type: string, message: string) {
        super(message);
    }
}

export interface AwsJsonServer extends LoopbackServer {
    /** Operations refused because they were not SigV4-signed for the service (should stay empty). */
    unsigned: string[];
}

const HEADERS = { "Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "00000000-0000-0000-0000-000000000000" };

export async function serveAwsJson(targetPrefix: string, service: string,
    handle: (operation: string, body: Record<string, unknown>, signature: Signature) => unknown): Promise<AwsJsonServer> {
    const unsigned: string[] = [];
    const server = await serveOnLoopback(async (request, text, response) => {
        const target = String(request.headers["x-amz-target"] ?? "");
        const operation = target.startsWith(`${targetPrefix}.`) ? target.slice(targetPrefix.length + 1) : target;
        const signature = sigV4Signature(request, service);
        try {
            if (signature === undefined) {
                unsigned.push(operation);
                throw new AwsJsonError("MissingAuthenticationTokenException", "Missing Authentication Token");
            }
            if (request.method !== "POST" || request.headers["content-type"] !== "application/x-amz-json-1.1") {
                throw new AwsJsonError("SerializationException", "expected a POST of application/x-amz-json-1.1");
            }
            replyJson(response, 200, await handle(operation, JSON.parse(text || "{}") as Record<string, unknown>, signature), HEADERS);
        } catch (error) {
            if (!(error instanceof AwsJsonError)) {
                throw error;
            }
            replyJson(response, error.type === "MissingAuthenticationTokenException" ? 403 : 400, { __type: error.type, message: error.message }, HEADERS);
        }
    });
    return { ...server, unsigned };
}

/**
 * One page of `items` as an AWS list call answers it: from the request's `nextToken` (an opaque offset here),
 * at most `pageSize` or the request's `maxResults` (else `defaultMaxResults`), and `continuation` to spread
 * into the answer: `{ nextToken }` while items remain, `{}` after the last page.
 */
export function pageOf<T>(items: readonly T[], body: Record<string, unknown>, pageSize: number, defaultMaxResults: number):
    { page: T[]; continuation: { nextToken?: string } } {
    const start = body.nextToken === undefined ? 0 : Number(Buffer.from(String(body.nextToken), "base64").toString("utf8"));
    const end = start + Math.min(pageSize, Number(body.maxResults ?? defaultMaxResults));
    return { page: items.slice(start, end), continuation: end < items.length ? { nextToken: Buffer.from(String(end)).toString("base64") } : {} };
}
