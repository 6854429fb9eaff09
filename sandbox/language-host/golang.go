package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// goHost builds Go programs with the Go toolchain and runs the binary with the environment the Go SDK
// reads (pulumi.Run's PULUMI_* variables), as the official pulumi-language-go does. The proxy serves no
// version of that host either.
type goHost struct {
	*baseHost
}

// Run builds the program into a temporary binary and runs it.
func (h *goHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	programDir := req.Info.ProgramDirectory
	binary, err := os.CreateTemp("", "pulumi-go-program-*")
	if err != nil {
		return nil, err
	}
	binary.Close()
	defer os.Remove(binary.Name())
	build := exec.CommandContext(h.ctx, "go", "build", "-o", binary.Name(), ".")
	build.Dir = programDir
	if out, err := build.CombinedOutput(); err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("go build in %s failed: %v\n%s", programDir, err, out)}, nil
	}
	cmd := exec.CommandContext(h.ctx, binary.Name(), req.Args...)
	cmd.Dir = req.Pwd
	cmd.Env = append(os.Environ(),
		"PULUMI_MONITOR="+req.MonitorAddress,
		"PULUMI_ENGINE="+h.engineAddress,
		"PULUMI_PROJECT="+req.Project,
		"PULUMI_STACK="+req.Stack,
		"PULUMI_ORGANIZATION="+req.Organization,
		"PULUMI_ROOT_DIRECTORY="+req.Info.RootDirectory,
		"PULUMI_DRY_RUN="+strconv.FormatBool(req.DryRun),
		"PULUMI_PARALLEL="+strconv.Itoa(int(req.Parallel)),
		"PULUMI_CONFIG="+configJSON(req.Config),
		"PULUMI_CONFIG_SECRET_KEYS="+secretKeysJSON(req.ConfigSecretKeys),
	)
	return h.runProgram(cmd), nil
}

// GetRequiredPackages lists the plugins of the program's modules, from the pulumi-plugin.json each
// Pulumi SDK module carries at its root (a generated SDK's among them).
func (h *goHost) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-json", "all")
	cmd.Dir = req.Info.ProgramDirectory
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m all in %s: %w", req.Info.ProgramDirectory, err)
	}
	response := &pulumirpc.GetRequiredPackagesResponse{}
	decoder := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var module struct{ Path, Version, Dir string }
		if err := decoder.Decode(&module); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		manifest, err := os.ReadFile(filepath.Join(module.Dir, "pulumi-plugin.json"))
		if module.Dir == "" || os.IsNotExist(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		var plugin struct {
			Resource bool   `json:"resource"`
			Name     string `json:"name"`
			Version  string `json:"version"`
			Server   string `json:"server"`
		}
		if err := json.Unmarshal(manifest, &plugin); err != nil {
			return nil, fmt.Errorf("reading %s's pulumi-plugin.json: %w", module.Path, err)
		}
		if plugin.Resource {
			response.Packages = append(response.Packages, &pulumirpc.PackageDependency{Name: plugin.Name, Kind: "resource", Version: pluginVersion(plugin.Version), Server: plugin.Server})
		}
	}
	return response, nil
}

// InstallDependencies resolves and downloads the program's modules.
func (h *goHost) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	return installDependencies(server, req.IsTerminal, req.Info.ProgramDirectory, "go", "mod", "tidy")
}

func (h *goHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return about(ctx, "go", nil)
}

func (h *goHost) GeneratePackage(ctx context.Context, req *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error) {
	return generatePackage(req, func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, _ schema.ReferenceLoader) (map[string][]byte, error) {
		return gogen.GeneratePackage("pulumi-language-go", pkg, req.LocalDependencies)
	})
}

// Link points the program's go.mod at each generated SDK: a require of its module and a replace
// with the SDK's folder, as the official host does.
func (h *goHost) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	var instructions []string
	for _, dependency := range req.Packages {
		module, err := goModulePath(filepath.Join(req.Info.RootDirectory, dependency.Path, "go.mod"))
		if err != nil {
			return nil, err
		}
		edit := exec.CommandContext(ctx, "go", "mod", "edit",
			"-require="+module+"@"+goPlaceholderVersion(module), "-replace="+module+"=./"+filepath.ToSlash(dependency.Path))
		edit.Dir = req.Info.ProgramDirectory
		if out, err := edit.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go mod edit in %s: %v\n%s", req.Info.ProgramDirectory, err, out)
		}
		// The package's folder in the SDK is the one with its plugin manifest ("dockerbuild" for docker-build).
		manifests, _ := filepath.Glob(filepath.Join(req.Info.RootDirectory, dependency.Path, "*", "pulumi-plugin.json"))
		for _, manifest := range manifests {
			instructions = append(instructions, fmt.Sprintf("import %q", module+"/"+filepath.Base(filepath.Dir(manifest))))
		}
	}
	return &pulumirpc.LinkResponse{ImportInstructions: "You can import the SDK in your Go code with:\n\n  " + strings.Join(instructions, "\n  ")}, nil
}

func goModulePath(goMod string) (string, error) {
	file, err := os.Open(goMod)
	if err != nil {
		return "", fmt.Errorf("the generated SDK has no go.mod: %w", err)
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		if module, ok := strings.CutPrefix(strings.TrimSpace(scanner.Text()), "module "); ok {
			return strings.TrimSpace(module), nil
		}
	}
	return "", fmt.Errorf("%s names no module", goMod)
}

var majorVersionSuffix = regexp.MustCompile(`/v([2-9]|[1-9][0-9]+)$`)

// goPlaceholderVersion is a version the replace makes irrelevant, but which must carry the module's
// major version when its path does.
func goPlaceholderVersion(module string) string {
	if match := majorVersionSuffix.FindStringSubmatch(module); match != nil {
		return "v" + match[1] + ".0.0"
	}
	return "v0.0.0"
}
