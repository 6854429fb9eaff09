module ecrx-go-example

go 1.26

require (
	github.com/ecrx/ecrx/sdk/go v0.0.0
	github.com/pulumi/pulumi/sdk/v3 v3.274.1
)

// Written by `pulumi package add ../..`, with the SDK it generates.
replace github.com/ecrx/ecrx/sdk/go => ./sdks/ecrx
