#!/usr/bin/env node
// The `ecrx` command: runs the compiled CLI (`npm run build` writes dist/; the published package ships it).
require("../dist/cli/main.js").runAsProcess();
