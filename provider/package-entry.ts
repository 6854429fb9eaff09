// package.json's `main`, which two callers load. Pulumi's run-plugin, which is how the CLI starts this
// package as a plugin (PulumiPlugin.yaml), requires the package folder: it gets the provider, and this module
// exports nothing, since exported components would make run-plugin start an inferred component host of its
// own. Any other require of the package folder by path gets the SDK and starts nothing, as `import "ecrx"`
// does through package.json's `exports`.
import * as path from "node:path";

const mainModule = require.main?.filename ?? "";
const startedByRunPlugin = path.basename(path.dirname(mainModule)) === "run-plugin" && path.basename(mainModule) === "index.js";

if (startedByRunPlugin) {
    require("./index");
} else {
    module.exports = require("../sdk");
}
