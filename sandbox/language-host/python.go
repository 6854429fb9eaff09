package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// pythonHost runs Python programs through the Python SDK's pulumi-language-python-exec, in the virtual
// environment that the SDK's own toolchain package resolves from Pulumi.yaml (`virtualenv`, `toolchain`).
type pythonHost struct {
	*baseHost
}

// The SDK's launcher script, which the sandbox installs next to this binary.
const pythonExec = "pulumi-language-python-exec"

func pythonToolchain(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	options := toolchain.PythonOptions{Root: info.RootDirectory, ProgramDir: info.ProgramDirectory, Toolchain: toolchain.Pip}
	if virtualenv, ok := info.Options.AsMap()["virtualenv"].(string); ok {
		options.Virtualenv = virtualenv
	}
	if name, ok := info.Options.AsMap()["toolchain"].(string); ok {
		switch name {
		case "pip":
		case "uv":
			options.Toolchain = toolchain.Uv
		case "poetry":
			options.Toolchain = toolchain.Poetry
		default:
			return nil, fmt.Errorf("Pulumi.yaml: runtime option toolchain is %q; use pip, uv or poetry", name)
		}
	}
	return toolchain.ResolveToolchain(options)
}

// Run starts the program with pulumi-language-python-exec, as the official host does.
func (h *pythonHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, err := pythonToolchain(req.Info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{filepath.Join(filepath.Dir(self), pythonExec)}
	args = append(args, flagArgs([][2]string{
		{"monitor", req.MonitorAddress},
		{"engine", h.engineAddress},
		{"project", req.Project},
		{"root_directory", req.Info.RootDirectory},
		{"stack", req.Stack},
		{"pwd", req.Pwd},
		{"dry_run", strconv.FormatBool(req.DryRun)},
		{"parallel", strconv.Itoa(int(req.Parallel))},
		{"organization", req.Organization},
	})...)
	args = append(append(args, req.Info.EntryPoint), req.Args...)
	cmd, err := tc.Command(h.ctx, args...)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "PULUMI_CONFIG="+configJSON(req.Config), "PULUMI_CONFIG_SECRET_KEYS="+secretKeysJSON(req.ConfigSecretKeys))
	return h.runProgram(cmd), nil
}

// GetRequiredPackages lists the plugins of the Pulumi packages installed in the program's environment,
// from the pulumi-plugin.json each of them ships.
func (h *pythonHost) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	tc, err := pythonToolchain(req.Info)
	if err != nil {
		return nil, err
	}
	cmd, err := tc.Command(ctx, "-c", pluginManifestsScript)
	if err != nil {
		return nil, err
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the Pulumi packages of %s: %w", req.Info.ProgramDirectory, err)
	}
	var manifests []struct {
		Distribution string `json:"distribution"`
		Version      string `json:"version"`
		Resource     bool   `json:"resource"`
		Name         string `json:"name"`
		PluginVer    string `json:"pluginVersion"`
		Server       string `json:"server"`
	}
	if err := json.Unmarshal(out, &manifests); err != nil {
		return nil, fmt.Errorf("reading the Pulumi packages of %s: %w", req.Info.ProgramDirectory, err)
	}
	response := &pulumirpc.GetRequiredPackagesResponse{}
	for _, m := range manifests {
		if !m.Resource {
			continue
		}
		version := m.PluginVer
		if version == "" {
			version = m.Version
		}
		response.Packages = append(response.Packages, &pulumirpc.PackageDependency{Name: m.Name, Kind: "resource", Version: pluginVersion(version), Server: m.Server})
	}
	return response, nil
}

// For every installed distribution with a pulumi-plugin.json in its top-level package: the manifest,
// with the plugin name defaulting to the distribution's without "pulumi-" and the version to its own.
const pluginManifestsScript = `import importlib.metadata, json, os
found = []
for dist in importlib.metadata.distributions():
    name = dist.metadata["Name"]
    for file in dist.files or []:
        if file.name == "pulumi-plugin.json" and len(file.parts) == 2:
            with open(dist.locate_file(file)) as f:
                manifest = json.load(f)
            found.append({"distribution": name, "version": dist.version, "resource": manifest.get("resource", False),
                          "name": manifest.get("name") or name.removeprefix("pulumi-").removeprefix("pulumi_"),
                          "pluginVersion": manifest.get("version", ""), "server": manifest.get("server", "")})
print(json.dumps(found))`

// InstallDependencies creates the virtual environment if needed and installs requirements.txt into it.
func (h *pythonHost) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	tc, err := pythonToolchain(req.Info)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.IsTerminal)
	if err != nil {
		return err
	}
	defer closer.Close()
	if err := tc.InstallDependencies(server.Context(), req.Info.ProgramDirectory, false, true, stdout, stderr); err != nil {
		return err
	}
	return closer.Close()
}

func (h *pythonHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := pythonToolchain(req.Info)
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: info.PythonExecutable, Version: info.PythonVersion.String()}, nil
}

func (h *pythonHost) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := pythonToolchain(req.Info)
	if err != nil {
		return nil, err
	}
	packages, err := tc.ListPackages(ctx, req.TransitiveDependencies)
	if err != nil {
		return nil, err
	}
	response := &pulumirpc.GetProgramDependenciesResponse{}
	for _, p := range packages {
		response.Dependencies = append(response.Dependencies, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return response, nil
}

func (h *pythonHost) GeneratePackage(ctx context.Context, req *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error) {
	return generatePackage(req, func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader) (map[string][]byte, error) {
		return pythongen.GeneratePackage("pulumi-language-python", pkg, req.ExtraFiles, loader)
	})
}

// Link adds each generated SDK's folder to requirements.txt, which InstallDependencies then installs
// into the virtual environment. Only the pip toolchain is linked; uv and poetry keep their own
// project files, which this host does not edit.
func (h *pythonHost) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	if toolchainName, _ := req.Info.Options.AsMap()["toolchain"].(string); toolchainName != "" && toolchainName != "pip" {
		return nil, fmt.Errorf("linking an SDK into a %s project is not supported here; add %s to the project yourself", toolchainName, req.Packages[0].GetPath())
	}
	requirementsPath := filepath.Join(req.Info.ProgramDirectory, "requirements.txt")
	existing, err := os.ReadFile(requirementsPath)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(existing), "\n"), "\n")
	var instructions []string
	for _, dependency := range req.Packages {
		if !slices.Contains(lines, dependency.Path) {
			lines = append(lines, dependency.Path)
		}
		name := dependency.Package.GetName()
		instructions = append(instructions, fmt.Sprintf("import pulumi_%s as %s", strings.ReplaceAll(name, "-", "_"), strings.ReplaceAll(name, "-", "_")))
	}
	if err := os.WriteFile(requirementsPath, []byte(strings.TrimLeft(strings.Join(lines, "\n"), "\n")+"\n"), 0o644); err != nil {
		return nil, err
	}
	return &pulumirpc.LinkResponse{ImportInstructions: "You can import the SDK in your Python code with:\n\n  " + strings.Join(instructions, "\n  ")}, nil
}
