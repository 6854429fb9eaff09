// The example's web app: one route that answers 200, which is what the load balancer's health check asks for.
const http = require("node:http");

const port = Number(process.env.PORT ?? 8080);

const server = http.createServer((request, response) => {
    response.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    response.end(`Hello from ecrx on ECS Fargate (${request.method} ${request.url})\n`);
});

server.listen(port, () => console.log(`listening on port ${port}`));

// ECS stops a task with SIGTERM; closing at once lets the deployment move on instead of waiting for SIGKILL.
process.on("SIGTERM", () => server.close(() => process.exit(0)));
