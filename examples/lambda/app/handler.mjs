// Answers requests to the function URL, which delivers them as API Gateway HTTP API (payload 2.0) events.
export const handler = async (event) => ({
    statusCode: 200,
    headers: { "content-type": "text/plain; charset=utf-8" },
    body: `Hello from ecrx on Lambda (${event.requestContext?.http?.method ?? "?"} ${event.rawPath ?? "/"})\n`,
});
