// What every fake endpoint shares: a server on a free 127.0.0.1 port, request bodies, and the check
// that the real SDK signed a request with SigV4 for the right service.
import * as http from "node:http";
import { AddressInfo } from "node:net";

export interface LoopbackServer {
    /** `http://127.0.0.1:<port>`. */
    endpoint: string;
    /** The most requests that were being answered at once. */
    maxInFlight(): number;
    close(): Promise<void>;
}

/** Serves `handle` on 127.0.0.1 until closed; the request body is read in full first. */
export async function serveOnLoopback(handle: (request: http.IncomingMessage, body: string, response: http.ServerResponse) => void):
    Promise<LoopbackServer> {
    let inFlight = 0;
    let maxInFlight = 0;
    const server = http.createServer((request, response) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        response.on("close", () => inFlight--);
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => handle(request, Buffer.concat(chunks).toString("utf8"), response));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        maxInFlight: () => maxInFlight,
        close: () => new Promise<void>((resolve, reject) => {
            server.close((error) => (error ? reject(error) : resolve()));
            // The SDKs keep connections alive; a closing server must not wait for them to idle out.
            server.closeAllConnections();
        }),
    };
}

export interface Signature {
    accessKey: string;
    region: string;
}

/** The signer of a SigV4-signed request for `service`, or undefined when it is not one. */
export function sigV4Signature(request: http.IncomingMessage, service: string): Signature | undefined {
    const match = new RegExp(`^AWS4-HMAC-SHA256 Credential=(?<accessKey>[^/]+)/\\d{8}/(?<region>[a-z0-9-]+)/${service}/aws4_request, ` +
        "SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$").exec(String(request.headers.authorization ?? ""));
    if (match === null || request.headers["x-amz-date"] === undefined) {
        return undefined;
    }
    return { accessKey: match.groups!.accessKey, region: match.groups!.region };
}

export function replyJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    response.writeHead(status, { "Content-Length": Buffer.byteLength(text), ...headers });
    response.end(text);
}

/** Waits, to give fakes the round trip of a real endpoint in benches. */
export function delay(ms: number): Promise<void> {
    return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

/** Says, call by call, whether to throttle: the first `limits[name]` calls of each name are. */
export function throttler(limits: Readonly<Record<string, number>> = {}): (name: string) => boolean {
    const counts = new Map<string, number>();
    return (name) => {
        const count = (counts.get(name) ?? 0) + 1;
        counts.set(name, count);
        return count <= (limits[name] ?? 0);
    };
}
