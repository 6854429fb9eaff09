// An ECR endpoint on 127.0.0.1 that misbehaves the way networks, proxies and broken services do: it never
// answers, stalls halfway through a body, pages forever, or answers with something that is not ECR's JSON.
import { serveOnLoopback } from "./loopback";

export type Misbehaviour =
    | "silent"
    | "stall-mid-body"
    | "endless-fresh-tokens"
    | "repeated-token"
    | "not-json"
    | "truncated-json"
    | "html-503";

export interface UnrulyEcr {
    endpoint: string;
    /** How many requests arrived. */
    requests: number;
    close(): Promise<void>;
}

const PAGE = (token: string) => JSON.stringify({
    imageDetails: [{ registryId: "123456789012", repositoryName: "app", imageDigest: `sha256:${"a".repeat(64)}`, imagePushedAt: 1748779200 }],
    nextToken: token,
});

export async function startUnrulyEcr(misbehaviour: Misbehaviour): Promise<UnrulyEcr> {
    let requests = 0;
    const server = await serveOnLoopback((_request, _body, response) => {
        requests++;
        const json = (status: number, text: string, type = "application/x-amz-json-1.1") => {
            response.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(text) });
            response.end(text);
        };
        switch (misbehaviour) {
            case "silent":
                return; // never answers
            case "stall-mid-body":
                response.writeHead(200, { "Content-Type": "application/x-amz-json-1.1", "Content-Length": 1000 });
                response.write('{"imageDetails": [');
                return; // and nothing more
            case "endless-fresh-tokens":
                return json(200, PAGE(`token-${requests}`));
            case "repeated-token":
                return json(200, PAGE("the-same-token"));
            case "not-json":
                return json(200, "OK, but not JSON");
            case "truncated-json":
                return json(200, '{"imageDetails": [{"imageDigest": "sha256:');
            case "html-503":
                return json(503, "<html><head><title>503 Service Temporarily Unavailable</title></head><body>nginx</body></html>", "text/html");
        }
    });
    return {
        endpoint: server.endpoint,
        get requests() {
            return requests;
        },
        // Closing cuts the connections left hanging (silent, stalled) as well.
        close: server.close,
    };
}
