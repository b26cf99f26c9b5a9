// composecheck validates a Compose file the way `docker compose config` does, with the
// compose-go library Docker Compose itself uses (schema, interpolation, references between
// services, profiles), and prints the resolved project as JSON for further checks.
//
// Usage: composecheck -f compose.yaml [-profile P]... [-env KEY=VALUE]...
// Only the variables given with -env are visible to interpolation. Exit status 1 on an
// invalid file, with the reason on stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var file string
	var profiles, env list
	flag.StringVar(&file, "f", "", "Compose file")
	flag.Var(&profiles, "profile", "profile to enable (repeatable)")
	flag.Var(&env, "env", "KEY=VALUE visible to interpolation (repeatable)")
	flag.Parse()
	if file == "" {
		fmt.Fprintln(os.Stderr, "usage: composecheck -f compose.yaml [-profile P]... [-env KEY=VALUE]...")
		os.Exit(2)
	}
	opts, err := cli.NewProjectOptions(
		[]string{file},
		cli.WithName("cgml"),
		cli.WithEnv(env),
		cli.WithProfiles(profiles),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Cannot read the options:", err)
		os.Exit(1)
	}
	project, err := cli.ProjectFromOptions(context.Background(), opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "Cannot load %s: %v\n", file, err)
		os.Exit(1)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Cannot print the project:", err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}
