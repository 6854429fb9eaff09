// An ECR endpoint on 127.0.0.1 that misbehaves the way networks, proxies and broken services do: it never
// answers, stalls halfway through a body, pages forever, or answers with something that is not ECR's JSON.
import * as http from "node:http";
import { AddressInfo } from "node:net";

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
    const state = { requests: 0 };
    const open = new Set<import("node:net").Socket>();
    const server = http.createServer((request, response) => {
        request.resume();
        request.on("end", () => {
            state.requests++;
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
                    return json(200, PAGE(`token-${state.requests}`));
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
    });
    server.on("connection", (socket) => {
        open.add(socket);
        socket.on("close", () => open.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        get requests() {
            return state.requests;
        },
        close: () => new Promise<void>((resolve) => {
            for (const socket of open) {
                socket.destroy();
            }
            server.close(() => resolve());
        }),
    };
}
