// The provider plugin, started by package-entry.ts when Pulumi's run-plugin loads the package (how
// `pulumi package add` and the CLI start it). Nothing is exported: see package-entry.ts.
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
