module ecrx-go-example

go 1.26

// `pulumi package add ../..` adds the require and the replace of github.com/ecrx/ecrx/sdk/go, the
// SDK it generates under sdks/ecrx.
require github.com/pulumi/pulumi/sdk/v3 v3.274.1
