// The plugin entry: `pulumi package add` and the CLI start it through run-plugin, which requires the
// package root (package.json `main`). It exports nothing: exported ComponentResource classes would make
// the CLI's loader start its own inferred component host as well.
import * as pulumi from "@pulumi/pulumi";
import { EcrxProvider } from "./provider";
import { routeEscapedFailures } from "./request-scope";

const serving = pulumi.provider.main(new EcrxProvider(), process.argv.slice(2));
// main() installs its listeners synchronously, before its first await.
routeEscapedFailures();
serving.catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
