// Command pulumi-language-nodejs (also installed as pulumi-language-python and pulumi-language-go) is
// the sandbox's language host for Node.js, Python and Go programs, Node.js plugins, and the SDKs of all three.
//
// The module proxy this project can reach serves no version of Pulumi's own hosts
// (github.com/pulumi/pulumi/sdk/{nodejs,python,go}/.../pulumi-language-*/v3 answer 403 for every
// pseudo-version), so the sandbox builds this one. It speaks the engine's LanguageRuntime protocol and
// starts programs through the SDKs' own entry points (@pulumi/pulumi's cmd/run and cmd/run-plugin, the
// Python SDK's pulumi-language-python-exec, the environment the Go SDK's pulumi.Run reads) with the
// arguments and environment the official hosts pass. Everything a program does after start-up (config,
// secrets, error reporting, resource registration) is therefore the SDK's and the engine's own
// behaviour; only the launcher is ours. SDKs come from pulumi/pkg's own code generators (generate.go).
// It does not proxy the resource monitor, offer the deprecated synchronous-invoke pipes or run type
// checkers.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The exit code with which the SDKs say they have already shown the user an actionable error.
const exitAfterUserActionableMessage = 32

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.String("tracing", "", "accepted for the engine's sake; tracing is not forwarded")
	// Older engines, such as the one inside the YAML host, pass the program's root this way.
	flag.String("root", "", "accepted for older engines' sake; the root comes with each request")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cancel := make(chan bool)
	go func() { <-ctx.Done(); close(cancel) }()

	base := &baseHost{ctx: ctx}
	if args := flag.Args(); len(args) > 0 {
		base.engineAddress = args[0]
		if err := rpcutil.Healthcheck(ctx, base.engineAddress, 5*time.Minute, stop); err != nil {
			fail(fmt.Errorf("could not start the engine health check: %w", err))
		}
	}
	// One binary, three names: the engine starts pulumi-language-<runtime>.
	var host pulumirpc.LanguageRuntimeServer = &nodeHost{baseHost: base}
	switch name := filepath.Base(os.Args[0]); {
	case strings.HasSuffix(name, "-python"):
		host = &pythonHost{baseHost: base}
	case strings.HasSuffix(name, "-go"):
		host = &goHost{baseHost: base}
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fail(fmt.Errorf("could not start the language host: %w", err))
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
	os.Exit(1)
}

// baseHost is what every runtime answers alike.
type baseHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	ctx           context.Context
	engineAddress string
}

func (h *baseHost) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.EngineAddress
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *baseHost) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *baseHost) Cancel(ctx context.Context, _ *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// runProgram runs a program to its end with the host's stdio, and turns its exit into the engine's answer.
func (h *baseHost) runProgram(cmd *exec.Cmd) *pulumirpc.RunResponse {
	// Node can switch its stdio to non-blocking mode; wrapping keeps it from touching ours.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	var exit *exec.ExitError
	switch err := cmd.Run(); {
	case err == nil:
		return &pulumirpc.RunResponse{}
	case errors.As(err, &exit) && exit.ExitCode() == exitAfterUserActionableMessage:
		return &pulumirpc.RunResponse{Bail: true}
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run %s: %v", cmd.Path, err)}
	}
}

// runPlugin runs a plugin, streaming its output to the engine.
func runPlugin(server pulumirpc.LanguageRuntime_RunPluginServer, cmd *exec.Cmd) error {
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	var exit *exec.ExitError
	if err := cmd.Run(); errors.As(err, &exit) {
		return fmt.Errorf("Plugin exited with non-zero exit code: %d", exit.ExitCode())
	} else if err != nil {
		return fmt.Errorf("could not run %s: %w", cmd.Path, err)
	}
	return closer.Close()
}

// installDependencies runs an installer in the program's folder, streaming its output to the engine.
func installDependencies(server pulumirpc.LanguageRuntime_InstallDependenciesServer, isTerminal bool, dir string, command ...string) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, isTerminal)
	if err != nil {
		return err
	}
	defer closer.Close()
	cmd := exec.CommandContext(server.Context(), command[0], command[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s in %s: %w", strings.Join(command, " "), dir, err)
	}
	return closer.Close()
}

// about reports the runtime's executable and its `--version`.
func about(ctx context.Context, executable string, metadata map[string]string) (*pulumirpc.AboutResponse, error) {
	path, err := exec.LookPath(executable)
	if err != nil {
		return nil, fmt.Errorf("%s is not on the PATH: %w", executable, err)
	}
	out, err := exec.CommandContext(ctx, path, "--version").CombinedOutput()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: path, Version: strings.TrimSpace(string(out)), Metadata: metadata}, nil
}

// flagArgs renders name/value pairs as `--name value`, leaving out the empty values, as the official hosts do.
func flagArgs(pairs [][2]string) []string {
	var args []string
	for _, pair := range pairs {
		if pair[1] != "" {
			args = append(args, "--"+pair[0], pair[1])
		}
	}
	return args
}

// configJSON is the stack's config as the SDKs read PULUMI_CONFIG: an object, `{}` when there is
// none (the Python SDK fails on `null`).
func configJSON(values map[string]string) string {
	if values == nil {
		values = map[string]string{}
	}
	text, _ := json.Marshal(values) // A map of strings always marshals.
	return string(text)
}

func secretKeysJSON(keys []string) string {
	if keys == nil {
		keys = []string{}
	}
	text, _ := json.Marshal(keys) // A list of strings always marshals.
	return string(text)
}

// pluginVersion is a package version as the engine names plugin versions: with a leading "v".
func pluginVersion(packageVersion string) string {
	if strings.HasPrefix(packageVersion, "v") {
		return packageVersion
	}
	return "v" + packageVersion
}
